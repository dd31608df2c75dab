using System.Text.RegularExpressions;

namespace RelayWatch.Simulation.Tests;

/// <summary>
/// Sendmail names a line's client only through its process (a connection is one forked child), so the simulated
/// relay must hand out process ids as a kernel does: a pid that named one client does not name another a few
/// minutes later. (The actors' own numbering repeated within minutes, and ingest rightly joined one harvester's
/// refusals to another client's connection.)
/// </summary>
public sealed partial class SendmailProcessTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-sendmail-pids-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void NoProcessNamesTwoClientsWithinTenMinutes()
    {
        var summary = new Simulator(new SimulationOptions { Output = directory, Seed = 7207, Days = 2, Scale = 0.01, World = SimulationWorld.Harder, Vendor = "sendmail" }).Run(CancellationToken.None);
        var last = new Dictionary<string, (DateTimeOffset Time, string Client)>(StringComparer.Ordinal);
        var clashes = new List<string>();
        var named = 0;

        foreach (var line in File.ReadLines(Path.Combine(summary.Output, "logs", "mx4", "mail.log")))
        {
            if (ClientLine().Match(line) is not { Success: true } match)
            {
                continue;
            }

            named++;
            var (time, pid, client) = (DateTimeOffset.Parse(match.Groups["time"].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups["pid"].Value, match.Groups["client"].Value);
            if (last.TryGetValue(pid, out var before) && before.Client != client && time - before.Time < TimeSpan.FromMinutes(10))
            {
                clashes.Add($"{pid}: {before.Client} then {client} at {time:O}");
            }

            last[pid] = (time, client);
        }

        Assert.True(named > 1_000, $"{named} lines named a client");
        Assert.Empty(clashes);
    }

    /// <summary>A line of a connection's process naming its client (a delivery's <c>to=</c> and <c>STARTTLS=client</c> name the next hop instead).</summary>
    [GeneratedRegex(@"^(?<time>\S+) mx4 sm-mta\[(?<pid>\d+)\]: (?!.*\bmailer=)(?!STARTTLS=client).*relay=[^,]*\[(?<client>[^\]]+)\]")]
    private static partial Regex ClientLine();
}
