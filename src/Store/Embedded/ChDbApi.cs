using System.Runtime.InteropServices;

namespace RelayWatch.Store.Embedded;

/// <summary>
/// The part of chDB's C API (chdb.h, 26.7) that RelayWatch calls, bound by name from an explicitly
/// loaded <c>libchdb.so</c>. Function pointers rather than [DllImport] keep the choice of library
/// file (fetched, verified, or <c>RELAYWATCH_CHDB_LIB</c>) in our hands and out of a global resolver.
/// Handles are opaque pointers: <c>chdb_connection*</c>, <c>chdb_result*</c>, <c>chdb_insert_stream</c>.
/// </summary>
internal sealed unsafe class ChDbApi
{
    private readonly delegate* unmanaged<nint> version;
    private readonly delegate* unmanaged<int, void> setSignalHandlersEnabled;
    private readonly delegate* unmanaged<int, byte**, nint> connect;
    private readonly delegate* unmanaged<nint, void> closeConnection;
    private readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nint> query;
    private readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, byte**, nuint*, byte**, nuint*, nuint, nint> queryWithParameters;
    private readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, byte**, nuint*, byte**, nuint*, nuint, nint> streamQueryWithParameters;
    private readonly delegate* unmanaged<nint, nint, nint> streamFetchResult;
    private readonly delegate* unmanaged<nint, nint, void> streamCancelQuery;
    private readonly delegate* unmanaged<nint, void> destroyQueryResult;
    private readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nint> streamInsert;
    private readonly delegate* unmanaged<nint, byte*, nuint, int> streamAppend;
    private readonly delegate* unmanaged<nint, nint> streamDone;
    private readonly delegate* unmanaged<nint, void> streamCancelInsert;
    private readonly delegate* unmanaged<nint, nint> streamInsertError;
    private readonly delegate* unmanaged<nint, void> destroyInsertStream;
    private readonly delegate* unmanaged<nint, byte*> resultBuffer;
    private readonly delegate* unmanaged<nint, nuint> resultLength;
    private readonly delegate* unmanaged<nint, ulong> resultRowsWritten;
    private readonly delegate* unmanaged<nint, nint> resultError;
    private readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, QueryAnalysis*, int> classifyQuery;

    private ChDbApi(nint library)
    {
        version = (delegate* unmanaged<nint>)Export(library, "chdb_version");
        setSignalHandlersEnabled = (delegate* unmanaged<int, void>)Export(library, "chdb_set_signal_handlers_enabled");
        connect = (delegate* unmanaged<int, byte**, nint>)Export(library, "chdb_connect");
        closeConnection = (delegate* unmanaged<nint, void>)Export(library, "chdb_close_conn");
        query = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nint>)Export(library, "chdb_query_n");
        queryWithParameters = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, byte**, nuint*, byte**, nuint*, nuint, nint>)Export(library, "chdb_query_with_params_n");
        streamQueryWithParameters = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, byte**, nuint*, byte**, nuint*, nuint, nint>)Export(library, "chdb_stream_query_with_params_n");
        streamFetchResult = (delegate* unmanaged<nint, nint, nint>)Export(library, "chdb_stream_fetch_result");
        streamCancelQuery = (delegate* unmanaged<nint, nint, void>)Export(library, "chdb_stream_cancel_query");
        destroyQueryResult = (delegate* unmanaged<nint, void>)Export(library, "chdb_destroy_query_result");
        streamInsert = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nint>)Export(library, "chdb_stream_insert_n");
        streamAppend = (delegate* unmanaged<nint, byte*, nuint, int>)Export(library, "chdb_stream_append");
        streamDone = (delegate* unmanaged<nint, nint>)Export(library, "chdb_stream_done");
        streamCancelInsert = (delegate* unmanaged<nint, void>)Export(library, "chdb_stream_cancel_insert");
        streamInsertError = (delegate* unmanaged<nint, nint>)Export(library, "chdb_stream_insert_error");
        destroyInsertStream = (delegate* unmanaged<nint, void>)Export(library, "chdb_destroy_insert_stream");
        resultBuffer = (delegate* unmanaged<nint, byte*>)Export(library, "chdb_result_buffer");
        resultLength = (delegate* unmanaged<nint, nuint>)Export(library, "chdb_result_length");
        resultRowsWritten = (delegate* unmanaged<nint, ulong>)Export(library, "chdb_result_rows_written");
        resultError = (delegate* unmanaged<nint, nint>)Export(library, "chdb_result_error");
        classifyQuery = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, QueryAnalysis*, int>)Export(library, "chdb_classify_query_n");
    }

    public string EngineVersion() => Marshal.PtrToStringUTF8(version()) ?? string.Empty;

    /// <summary>Leaves SIGSEGV and friends to the .NET runtime, which relies on them; call before the first connect.</summary>
    public void DisableSignalHandlers() => setSignalHandlersEnabled(0);

    /// <summary>Opens a connection (<c>chdb_connection*</c>), or returns 0 when the engine refuses.</summary>
    public nint Connect(IReadOnlyList<string> arguments)
    {
        var native = new nint[arguments.Count];
        try
        {
            for (var i = 0; i < native.Length; i++)
            {
                native[i] = Marshal.StringToCoTaskMemUTF8(arguments[i]);
            }

            fixed (nint* argv = native)
            {
                return connect(native.Length, (byte**)argv);
            }
        }
        finally
        {
            foreach (var pointer in native)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }

    public void Close(nint connection) => closeConnection(connection);

    /// <summary>Runs a statement to completion; the result must be destroyed.</summary>
    public nint Query(nint connection, ReadOnlySpan<byte> sql, ReadOnlySpan<byte> format)
    {
        fixed (byte* q = sql)
        fixed (byte* f = format)
        {
            return query(Handle(connection), q, (nuint)sql.Length, f, (nuint)format.Length);
        }
    }

    public nint QueryWithParameters(nint connection, ReadOnlySpan<byte> sql, ReadOnlySpan<byte> format, NativeUtf8Array names, NativeUtf8Array values)
    {
        fixed (byte* q = sql)
        fixed (byte* f = format)
        {
            return queryWithParameters(Handle(connection), q, (nuint)sql.Length, f, (nuint)format.Length,
                names.Pointers, names.Lengths, values.Pointers, values.Lengths, (nuint)names.Count);
        }
    }

    /// <summary>Starts a streaming query; fetch chunks with <see cref="StreamFetch"/>, destroy the handle at the end.</summary>
    public nint StreamQueryWithParameters(nint connection, ReadOnlySpan<byte> sql, ReadOnlySpan<byte> format, NativeUtf8Array names, NativeUtf8Array values)
    {
        fixed (byte* q = sql)
        fixed (byte* f = format)
        {
            return streamQueryWithParameters(Handle(connection), q, (nuint)sql.Length, f, (nuint)format.Length,
                names.Pointers, names.Lengths, values.Pointers, values.Lengths, (nuint)names.Count);
        }
    }

    /// <summary>The next chunk of a streaming query; an empty buffer marks the end. Destroy each chunk.</summary>
    public nint StreamFetch(nint connection, nint stream) => streamFetchResult(Handle(connection), stream);

    public void StreamCancel(nint connection, nint stream) => streamCancelQuery(Handle(connection), stream);

    public void DestroyResult(nint result) => destroyQueryResult(result);

    /// <summary>Begins a streaming INSERT; check <see cref="InsertErrorOf"/>, destroy the handle at the end.</summary>
    public nint BeginInsert(nint connection, ReadOnlySpan<byte> sql, ReadOnlySpan<byte> format)
    {
        fixed (byte* q = sql)
        fixed (byte* f = format)
        {
            return streamInsert(Handle(connection), q, (nuint)sql.Length, f, (nuint)format.Length);
        }
    }

    /// <summary>Hands a chunk of encoded rows to the insert (the engine copies it); false when the insert failed.</summary>
    public bool Append(nint insertStream, ReadOnlySpan<byte> data)
    {
        fixed (byte* pointer = data)
        {
            return streamAppend(insertStream, pointer, (nuint)data.Length) == 0;
        }
    }

    /// <summary>Commits the insert and returns its result (rows written or an error); destroy it.</summary>
    public nint FinishInsert(nint insertStream) => streamDone(insertStream);

    public void CancelInsert(nint insertStream) => streamCancelInsert(insertStream);

    public void DestroyInsert(nint insertStream) => destroyInsertStream(insertStream);

    public string? InsertErrorOf(nint insertStream)
    {
        var error = streamInsertError(insertStream);
        return error == 0 ? null : Marshal.PtrToStringUTF8(error);
    }

    /// <summary>The error text of a result, or null when it succeeded.</summary>
    public string? ErrorOf(nint result)
    {
        var error = resultError(result);
        return error == 0 ? null : Marshal.PtrToStringUTF8(error);
    }

    /// <summary>The result's output bytes, valid until the result is destroyed.</summary>
    public ReadOnlySpan<byte> BufferOf(nint result)
    {
        var length = resultLength(result);
        var buffer = resultBuffer(result);
        return buffer == null || length == 0 ? [] : new ReadOnlySpan<byte>(buffer, checked((int)length));
    }

    public ulong RowsWrittenOf(nint result) => resultRowsWritten(result);

    /// <summary>
    /// What ClickHouse's parser says of the text without running it: how many statements it holds
    /// (0 when it does not parse) and whether the statement only reads.
    /// </summary>
    public (int Statements, bool ReadOnly) Classify(nint connection, ReadOnlySpan<byte> sql)
    {
        var analysis = new QueryAnalysis { StructSize = (uint)sizeof(QueryAnalysis) };
        fixed (byte* q = sql)
        {
            if (classifyQuery(Handle(connection), q, (nuint)sql.Length, null, 0, &analysis) != 0)
            {
                return (0, false);
            }
        }

        return ((int)analysis.StatementCount, analysis.QueryClass == 0);
    }

    /// <summary>Loads the library file and binds every function; a missing export means an incompatible build.</summary>
    /// <param name="loadPath">What the loader opens (a verified open file's <c>/proc/self/fd</c> entry, or a path).</param>
    /// <param name="libraryPath">Where the library was found, for the message when it cannot be loaded.</param>
    public static ChDbApi Load(string loadPath, string libraryPath)
    {
        nint library;
        try
        {
            library = NativeLibrary.Load(loadPath);
        }
        catch (DllNotFoundException e)
        {
            throw new StoreUnavailableException(
                $"The chDB library at {libraryPath} could not be loaded ({FirstLine(e.Message)}); set RELAYWATCH_CHDB_LIB to a working libchdb.so or use --clickhouse with a server.", e);
        }

        return new ChDbApi(library);
    }

    private static nint Export(nint library, string name)
    {
        if (!NativeLibrary.TryGetExport(library, name, out var address))
        {
            throw new StoreUnavailableException(
                $"The chDB library lacks the function {name}, so it is not the 26.7 C API RelayWatch needs; set RELAYWATCH_CHDB_LIB to a matching libchdb.so or unset it.");
        }

        return address;
    }

    /// <summary><c>chdb_query_analysis_v1</c>; QueryClass 0 is CHDB_QUERY_READ_ONLY.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct QueryAnalysis
    {
        public uint StructSize;
        public uint StatementCount;
        public uint Flags;
        public uint QueryClass;
    }

    /// <summary>Query functions take the connection itself, <c>*chdb_connection*</c>.</summary>
    private static nint Handle(nint connection) => *(nint*)connection;

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return (end < 0 ? text : text[..end]).TrimEnd('.');
    }
}
