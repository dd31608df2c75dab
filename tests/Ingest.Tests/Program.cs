using RelayWatch.Ingest.Tests.Loading;

namespace RelayWatch.Ingest.Tests;

/// <summary>
/// The test assembly's entry point (the test SDK's generated one is turned off): run as a program with
/// <c>crash-host …</c>, it is the child process the exactly-once tests kill (<see cref="CrashHost"/>).
/// The test runner does not call it.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args) =>
        args is [CrashHost.Verb, .. var rest] ? await CrashHost.RunAsync(rest) : 2;
}
