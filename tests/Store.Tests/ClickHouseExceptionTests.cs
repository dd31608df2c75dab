namespace RelayWatch.Store.Tests;

public sealed class ClickHouseExceptionTests
{
    [Fact]
    public void CodeAndNameAreReadFromClickHousesErrorText()
    {
        var error = ClickHouseException.FromErrorText("Code: 60. DB::Exception: Unknown table expression identifier 'nope' in scope SELECT * FROM nope. (UNKNOWN_TABLE) (version 26.7.2.1)\n");

        Assert.Equal(60, error.Code);
        Assert.Equal("UNKNOWN_TABLE", error.Name);
        Assert.Equal("Code: 60. DB::Exception: Unknown table expression identifier 'nope' in scope SELECT * FROM nope. (UNKNOWN_TABLE)", error.Message);
    }

    [Fact]
    public void OldServersWordingStillGivesTheCode()
    {
        // As a ClickHouse server of 2018 (Debian's 18.16) words it: a comma after the code and no error name.
        var error = ClickHouseException.FromErrorText("Code: 115, e.displayText() = DB::Exception: Unknown setting x, e.what() = DB::Exception\n");

        Assert.Equal(115, error.Code);
        Assert.Equal(string.Empty, error.Name);
    }

    [Fact]
    public void TextWithoutACodeIsKeptWhole()
    {
        var error = ClickHouseException.FromErrorText("something odd happened");

        Assert.Equal(0, error.Code);
        Assert.Equal(string.Empty, error.Name);
        Assert.Equal("something odd happened", error.Message);
    }
}
