using RelayWatch.Ingest.Formats;

namespace RelayWatch.Ingest.Tests.Formats;

public sealed class SmtpReplyTests
{
    [Theory]
    [InlineData("550 5.1.1 <a@b>: Recipient address rejected", 550)]
    [InlineData("550-5.7.1 Relaying denied", 550)]
    [InlineData("421", 421)]
    [InlineData("4210 not a code", 0)]
    [InlineData("199 too low", 0)]
    [InlineData("600 too high", 0)]
    [InlineData("55", 0)]
    [InlineData("", 0)]
    public void The_leading_code_is_a_reply_code_standing_alone(string text, int expected) =>
        Assert.Equal((ushort)expected, SmtpReply.LeadingCode(text));

    [Theory]
    [InlineData("rejected after DATA: 550 5.7.1 spam", 550)]
    [InlineData("('550', ['5.1.1 unknown'])", 550)]
    [InlineData("id 12345 then 451 later", 451)]
    [InlineData("no code here 2024", 0)]
    public void The_first_code_is_found_anywhere_but_not_inside_longer_numbers(string text, int expected) =>
        Assert.Equal((ushort)expected, SmtpReply.FirstCode(text));

    [Theory]
    [InlineData("550 5.1.1 <a@b>: Recipient address rejected", "5.1.1")]
    [InlineData("450 4.7.25; Client host rejected", "4.7.25")]
    [InlineData("550-5.7.1 Relaying denied", "5.7.1")]
    [InlineData("550 Relaying denied", "")]
    [InlineData("550 5.1.1234 too many digits", "")]
    [InlineData("550 6.1.1 wrong class", "")]
    public void The_enhanced_status_code_follows_the_reply_code(string text, string expected) =>
        Assert.Equal(expected, SmtpReply.LeadingDsn(text));
}
