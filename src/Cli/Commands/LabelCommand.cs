using System.CommandLine;
using System.Globalization;
using RelayWatch.Analysis.Scoring;

namespace RelayWatch.Cli.Commands;

/// <summary><c>relaywatch label</c>: an analyst's verdict on a sender, the reputation model's strongest label.</summary>
internal static class LabelCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var subject = new Argument<string?>("ADDRESS") { Description = "An IP address or a network (CIDR) of a sender", Arity = ArgumentArity.ZeroOrOne };
        var bad = new Option<bool>("--bad") { Description = "The sender is bad: learn from it as an attacker" };
        var good = new Option<bool>("--good") { Description = "The sender is good: never learn it as bad, whatever the findings say" };
        var clear = new Option<bool>("--clear") { Description = "Withdraw the verdict in force (the history keeps it)" };
        var note = new Option<string?>("--note") { Description = "Why, for whoever reads the label later", HelpName = "TEXT" };
        var list = new Option<bool>("--list") { Description = "List the verdicts in force instead" };
        var command = new Command("label", "Record an analyst's verdict on a sender (used by train from then on), or list the verdicts in force")
        {
            subject, bad, good, clear, note, list,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ =>
            {
                var verdicts = new[] { (parse.GetValue(bad), AnalystLabel.Bad), (parse.GetValue(good), AnalystLabel.Good), (parse.GetValue(clear), AnalystLabel.Cleared) }
                    .Where(v => v.Item1).Select(v => v.Item2).ToList();
                var text = parse.GetValue(subject);
                if (parse.GetValue(list))
                {
                    return text is null && verdicts.Count == 0 ? (Subject: (string?)null, Verdict: (string?)null)
                        : throw new UsageException("--list takes no address and no verdict.");
                }

                if (text is null || verdicts.Count != 1)
                {
                    throw new UsageException("Give an address or network and exactly one of --bad, --good or --clear (or --list).");
                }

                try
                {
                    return (Subject: AnalystLabels.Normalise(text), Verdict: verdicts[0]);
                }
                catch (ArgumentException e)
                {
                    throw new UsageException(e.Message);
                }
            },
            async (store, arguments, token) =>
            {
                if (arguments.Subject is null)
                {
                    var labels = await AnalystLabels.InForceAsync(store, token).ConfigureAwait(false);
                    Console.WriteLine(labels.Count == 0 ? "No verdicts in force." : "verdict  subject                     by            when                  note");
                    foreach (var label in labels)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{label.Verdict,-8} {label.Subject,-27} {label.LabelledBy,-13} {label.LabelledAt:yyyy-MM-dd HH:mm:ss}   {label.Note}"));
                    }

                    return ExitCodes.Ok;
                }

                AnalystLabel added;
                try
                {
                    added = await AnalystLabels.AddAsync(store, arguments.Subject, arguments.Verdict!, parse.GetValue(note), Environment.UserName, TimeProvider.System, token).ConfigureAwait(false);
                }
                catch (ArgumentException e)
                {
                    throw new UsageException(e.Message);
                }

                Console.WriteLine(added.Verdict == AnalystLabel.Cleared
                    ? $"Cleared the verdict on {added.Subject}; the next relaywatch train learns it from the findings again."
                    : $"{added.Subject} is labelled {added.Verdict} by {added.LabelledBy}; the next relaywatch train learns from it.");
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }
}
