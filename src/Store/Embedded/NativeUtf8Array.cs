using System.Runtime.InteropServices;
using System.Text;

namespace RelayWatch.Store.Embedded;

/// <summary>
/// Strings laid out as UTF-8 in unmanaged memory, with parallel arrays of pointers and lengths, the
/// shape chDB's <c>*_with_params_n</c> functions take. Freed on dispose.
/// </summary>
internal sealed unsafe class NativeUtf8Array : IDisposable
{
    private readonly nint[] strings;
    private readonly nint pointers;
    private readonly nint lengths;

    public NativeUtf8Array(IReadOnlyList<string> values)
    {
        Count = values.Count;
        strings = new nint[Count];
        pointers = Marshal.AllocHGlobal(Math.Max(1, Count) * sizeof(nint));
        lengths = Marshal.AllocHGlobal(Math.Max(1, Count) * sizeof(nuint));
        for (var i = 0; i < Count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(values[i]);
            strings[i] = Marshal.AllocHGlobal(bytes.Length + 1);
            bytes.CopyTo(new Span<byte>((void*)strings[i], bytes.Length));
            ((byte*)strings[i])[bytes.Length] = 0;
            ((nint*)pointers)[i] = strings[i];
            ((nuint*)lengths)[i] = (nuint)bytes.Length;
        }
    }

    public int Count { get; }

    public byte** Pointers => (byte**)pointers;

    public nuint* Lengths => (nuint*)lengths;

    public void Dispose()
    {
        foreach (var s in strings)
        {
            Marshal.FreeHGlobal(s);
        }

        Marshal.FreeHGlobal(pointers);
        Marshal.FreeHGlobal(lengths);
    }
}
