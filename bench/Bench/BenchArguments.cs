using System.Globalization;

namespace RelayWatch.Bench;

/// <summary>The few <c>--name value</c> options and <c>--switch</c> flags the benchmarks take.</summary>
internal sealed class BenchArguments(string[] args)
{
    public long Long(string name, long defaultValue)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? long.Parse(args[index + 1], CultureInfo.InvariantCulture) : defaultValue;
    }

    public string Text(string name, string defaultValue)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : defaultValue;
    }

    public bool Flag(string name) => Array.IndexOf(args, name) >= 0;
}
