using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RelayWatch.Analysis.Context;
using RelayWatch.Cli.Configuration;

namespace RelayWatch.Cli.Commands;

/// <summary>
/// <c>relaywatch context load [--asn FILE] [--country FILE] [--csv FILE]</c>: reads MaxMind-format ASN/Country databases,
/// or instead a CSV <c>network,asn,organisation,country</c>, and replaces the store's network context with them at once
/// (the <c>network_context</c> dictionary is reloaded). Paths not given come from the configuration's <c>context</c> section.
/// </summary>
internal static class ContextCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var asn = new Option<string?>("--asn") { Description = "MaxMind-format ASN database (GeoLite2-ASN.mmdb) [config: context.asnDatabase]", HelpName = "FILE" };
        var country = new Option<string?>("--country") { Description = "MaxMind-format Country database (GeoLite2-Country.mmdb) [config: context.countryDatabase]", HelpName = "FILE" };
        var csv = new Option<string?>("--csv") { Description = "Instead of the databases, a CSV with the header network,asn,organisation,country [config: context.csv]", HelpName = "FILE" };
        var load = new Command("load", "Replace the network context (AS, owner and country of every address) with the given files, at once") { asn, country, csv };
        load.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ => Files(globals.LoadConfig(parse).Context, parse.GetValue(asn), parse.GetValue(country), parse.GetValue(csv)),
            async (store, files, token) =>
            {
                var clock = Stopwatch.StartNew();
                var (rows, source) = Read(files);
                var loaded = await new NetworkContextStore(store).ReplaceAsync(rows, source, TimeProvider.System, token).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Network context: {loaded:N0} networks from {source} loaded in {clock.Elapsed.TotalSeconds:F1} s; SQL reads them with dictGet('{NetworkContextStore.Dictionary}', 'asn' | 'organisation' | 'country', address)."));
                return ExitCodes.Ok;
            },
            cancellationToken));
        return new Command("context", "Network context: who is behind every address (AS number, organisation, country)") { load };
    }

    private static ContextSection Files(ContextSection configured, string? asn, string? country, string? csv)
    {
        var anyOption = asn is not null || country is not null || csv is not null;
        var files = anyOption ? new ContextSection { AsnDatabase = asn, CountryDatabase = country, Csv = csv } : configured;
        if (files.Csv is not null && (files.AsnDatabase is not null || files.CountryDatabase is not null))
        {
            throw new UsageException("Give either MaxMind databases (--asn, --country) or a CSV (--csv), not both.");
        }

        if (files.Csv is null && files.AsnDatabase is null && files.CountryDatabase is null)
        {
            throw new UsageException("Nothing to load: give --asn and/or --country (MaxMind databases) or --csv, or set them in the configuration's context section.");
        }

        foreach (var path in new[] { files.AsnDatabase, files.CountryDatabase, files.Csv }.OfType<string>())
        {
            if (!File.Exists(path))
            {
                throw new UsageException($"{path} does not exist.");
            }
        }

        return files;
    }

    private static (IReadOnlyList<NetworkContextRow> Rows, string Source) Read(ContextSection files)
    {
        try
        {
            var rows = new NetworkContextFiles(files.AsnDatabase, files.CountryDatabase, files.Csv).Read();
            var names = files.Csv is { } csv ? [csv] : new[] { files.AsnDatabase, files.CountryDatabase }.OfType<string>();
            return (rows, string.Join(" + ", names.Select(Path.GetFileName)));
        }
        catch (FormatException e)
        {
            throw new WorkFailedException(e.Message + "\nThe network context was left as it was.");
        }
    }
}
