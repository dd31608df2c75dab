using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace RelayWatch.Store.Embedded;

/// <summary>
/// <see cref="IClickHouseStore"/> on the embedded chDB engine. Each operation borrows a connection
/// from a bounded pool (a chDB connection runs one statement at a time), so many threads can work
/// at once; every native result is destroyed, on success and failure alike. Native calls block, so
/// they run on the thread pool.
/// </summary>
internal sealed class EmbeddedStore : IClickHouseStore
{
    private delegate nint NativeCall(ReadOnlySpan<byte> sql, NativeUtf8Array names, NativeUtf8Array values);

    private readonly ChDbEngine engine;
    private readonly string database;
    private readonly SemaphoreSlim slots;
    private readonly ConcurrentBag<nint> idle = [];
    private int disposed;

    private EmbeddedStore(ChDbEngine engine, string database, int maxConnections)
    {
        this.engine = engine;
        this.database = database;
        slots = new SemaphoreSlim(maxConnections, maxConnections);
        Info = new StoreInfo("embedded", engine.DataDirectory, database);
    }

    public StoreInfo Info { get; }

    /// <summary>The engine's version, e.g. 26.7.2.1.</summary>
    public string EngineVersion => engine.Version;

    public static async Task<EmbeddedStore> OpenAsync(StoreOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var engine = await ChDbEngine.AcquireAsync(options.DataDirectory, options.TrustEngineLibrary, logger, cancellationToken).ConfigureAwait(false);
        var store = new EmbeddedStore(engine, options.Database, options.MaxConnections);
        try
        {
            // The database must exist before a pooled connection can USE it.
            var connection = engine.OpenConnection();
            try
            {
                store.Run(connection, $"CREATE DATABASE IF NOT EXISTS {options.Database}", null);
            }
            finally
            {
                engine.CloseConnection(connection);
            }
        }
        catch
        {
            engine.Release();
            throw;
        }

        return store;
    }

    public async Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken)
    {
        parameters = QueryParameters.Render(sql, parameters);
        var connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Run(() => Run(connection, sql, parameters), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Return(connection);
        }
    }

    public Task QueryAsync(string sql, string format, Stream output, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken) =>
        QueryWithRawParametersAsync(sql, format, output, QueryParameters.Render(sql, parameters), cancellationToken);

    /// <summary>
    /// <see cref="QueryAsync"/> with parameter values already in the text ClickHouse's parameter parser
    /// reads (see <see cref="QueryParameters"/>): what a server receives as <c>param_NAME</c>. The HTTP
    /// test fixture serves queries through this.
    /// </summary>
    internal async Task QueryWithRawParametersAsync(string sql, string format, Stream output, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken)
    {
        var connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await QueryOnAsync(connection, sql, format, output, parameters, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Return(connection);
        }
    }

    public Task QueryAsync(string sql, string format, Stream output, IReadOnlyDictionary<string, string>? parameters, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken) =>
        QueryWithRawParametersAsync(sql, format, output, QueryParameters.Render(sql, parameters), settings, cancellationToken);

    /// <summary>
    /// <see cref="QueryWithRawParametersAsync(string, string, Stream, IReadOnlyDictionary{string, string}?, CancellationToken)"/>
    /// on a session of its own with <paramref name="settings"/> set, closed afterwards: a setting such as
    /// <c>readonly=1</c> cannot be taken back within a session, so it never reaches the pool.
    /// </summary>
    internal async Task QueryWithRawParametersAsync(string sql, string format, Stream output, IReadOnlyDictionary<string, string>? parameters, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        QuerySettings.Validate(settings);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var connection = nint.Zero;
        try
        {
            connection = engine.OpenConnection();
            var session = connection;
            await Task.Run(() =>
            {
                Run(session, $"USE {database}", null);
                // readonly last: once it is 1, the session may change no setting.
                foreach (var (name, value) in settings.OrderBy(s => s.Key == "readonly" ? 1 : 0))
                {
                    Run(session, QuerySettings.SetStatement(name, value), null);
                }
            }, cancellationToken).ConfigureAwait(false);
            await QueryOnAsync(connection, sql, format, output, parameters, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (connection != 0)
            {
                engine.CloseConnection(connection);
            }

            slots.Release();
        }
    }

    private async Task QueryOnAsync(nint connection, string sql, string format, Stream output, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken)
    {
        var stream = nint.Zero;
        var finished = false;
        try
        {
            // chDB streams only statements that read; others run whole and hand back their output at once.
            var readOnly = await Task.Run(() => EnsureSingleStatement(connection, sql), cancellationToken).ConfigureAwait(false);
            if (!readOnly)
            {
                var whole = await Task.Run(() => RunReturningOutput(connection, sql, format, parameters), cancellationToken).ConfigureAwait(false);
                await output.WriteAsync(whole, cancellationToken).ConfigureAwait(false);
                finished = true;
                return;
            }

            try
            {
                stream = await Task.Run(() => StartStreamingQuery(connection, sql, format, parameters), cancellationToken).ConfigureAwait(false);
            }
            catch (ClickHouseException e) when (NotStreamable(e))
            {
                // SHOW, DESCRIBE, EXISTS and EXPLAIN read but do not stream: their answers are small, so they run whole.
                var whole = await Task.Run(() => RunReturningOutput(connection, sql, format, parameters), cancellationToken).ConfigureAwait(false);
                await output.WriteAsync(whole, cancellationToken).ConfigureAwait(false);
                finished = true;
                return;
            }

            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (chunk, length) = await Task.Run(() => FetchChunk(connection, stream), cancellationToken).ConfigureAwait(false);
                if (length == 0)
                {
                    finished = true;
                    break;
                }

                try
                {
                    await output.WriteAsync(chunk.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                }
            }
        }
        finally
        {
            if (stream != 0)
            {
                if (!finished)
                {
                    engine.Api.StreamCancel(connection, stream);
                }

                engine.Api.DestroyResult(stream);
            }
        }
    }

    public Task<long> InsertAsync(BulkInsert insert, Func<Stream, CancellationToken, Task> writeRows, CancellationToken cancellationToken) =>
        InsertAsync(insert.ToSql(), insert.Format, writeRows, cancellationToken);

    /// <summary>
    /// Streams rows into an INSERT statement given as text (without its FORMAT clause): what a
    /// ClickHouse server does with <c>INSERT … FORMAT F</c> and a request body. The HTTP test fixture
    /// serves inserts through this.
    /// </summary>
    internal async Task<long> InsertAsync(string insertStatement, string format, Func<Stream, CancellationToken, Task> writeRows, CancellationToken cancellationToken)
    {
        var connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        var insertStream = nint.Zero;
        try
        {
            // Not cancellable once asked for: a begun insert must be seen here to be freed.
            cancellationToken.ThrowIfCancellationRequested();
            insertStream = await Task.Run(() => BeginInsert(connection, insertStatement, format), CancellationToken.None).ConfigureAwait(false);
            var body = new ChDbInsertStream(engine.Api, insertStream);
            await using (body.ConfigureAwait(false))
            {
                // The body's writes may block on back-pressure; keep them off the caller's context.
                await Task.Run(() => writeRows(body, cancellationToken), cancellationToken).ConfigureAwait(false);
                await body.CompleteAsync().ConfigureAwait(false);
            }

            // Cancelled now: the finally block cancels and frees the insert. Past this point the insert is
            // finished whatever happens to the token, so its native stream is always freed before the
            // connection goes back to the pool.
            cancellationToken.ThrowIfCancellationRequested();
            var stream = insertStream;
            insertStream = 0;
            return await Task.Run(() => FinishInsert(stream), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (insertStream != 0)
            {
                // Failed or cancelled before the end: nothing of this insert is committed.
                engine.Api.CancelInsert(insertStream);
                engine.Api.DestroyInsert(insertStream);
            }

            Return(connection);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            while (idle.TryTake(out var connection))
            {
                engine.CloseConnection(connection);
            }

            engine.Release();
            slots.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private async Task<nint> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (idle.TryTake(out var connection))
        {
            return connection;
        }

        try
        {
            connection = engine.OpenConnection();
            Run(connection, $"USE {database}", null);
            return connection;
        }
        catch
        {
            if (connection != 0)
            {
                engine.CloseConnection(connection);
            }

            slots.Release();
            throw;
        }
    }

    private void Return(nint connection)
    {
        if (Volatile.Read(ref disposed) != 0)
        {
            engine.CloseConnection(connection);
            return;
        }

        idle.Add(connection);
        slots.Release();
    }

    /// <summary>Runs one statement to completion and discards its output.</summary>
    private void Run(nint connection, string sql, IReadOnlyDictionary<string, string>? parameters)
    {
        EnsureSingleStatement(connection, sql);
        var result = RunWhole(connection, sql, "TabSeparated", parameters);
        try
        {
            ThrowIfFailed(result);
        }
        finally
        {
            engine.Api.DestroyResult(result);
        }
    }

    /// <summary>Runs one statement to completion and returns a copy of its output.</summary>
    private byte[] RunReturningOutput(nint connection, string sql, string format, IReadOnlyDictionary<string, string>? parameters)
    {
        var result = RunWhole(connection, sql, format, parameters);
        try
        {
            ThrowIfFailed(result);
            return engine.Api.BufferOf(result).ToArray();
        }
        finally
        {
            engine.Api.DestroyResult(result);
        }
    }

    private nint RunWhole(nint connection, string sql, string format, IReadOnlyDictionary<string, string>? parameters)
    {
        var formatBytes = Encoding.UTF8.GetBytes(format);
        return parameters is { Count: > 0 }
            ? WithParameters(sql, parameters, (query, names, values) => engine.Api.QueryWithParameters(connection, query, formatBytes, names, values))
            : engine.Api.Query(connection, Encoding.UTF8.GetBytes(sql), formatBytes);
    }

    /// <summary>
    /// Refuses text holding more than one statement, as a ClickHouse server does over HTTP: the
    /// engine would otherwise run the statements before a broken one and then fail, leaving the
    /// store changed by a command that reported an error. Returns whether the statement only reads.
    /// </summary>
    private bool EnsureSingleStatement(nint connection, string sql)
    {
        var (statements, readOnly) = engine.Api.Classify(connection, Encoding.UTF8.GetBytes(sql));
        var unparsedButSeveral = statements == 0 && SqlText.HasInnerSemicolon(sql);
        if (statements > 1 || unparsedButSeveral)
        {
            throw new ClickHouseException(62, "SYNTAX_ERROR", "Multi-statements are not allowed: run one statement at a time.");
        }

        // Text that does not parse reaches the engine whole, which answers with its own syntax error.
        return readOnly && statements == 1;
    }

    /// <summary>The engine's refusal to stream a statement that only reads (<c>SHOW TABLES</c>, <c>DESCRIBE</c>, <c>EXPLAIN</c>, …).</summary>
    private static bool NotStreamable(ClickHouseException e) =>
        e.Code == 36 && e.Message.Contains("Streaming query is not supported", StringComparison.Ordinal);

    private nint StartStreamingQuery(nint connection, string sql, string format, IReadOnlyDictionary<string, string>? parameters)
    {
        var formatBytes = Encoding.UTF8.GetBytes(format);
        var stream = WithParameters(sql, parameters, (query, names, values) => engine.Api.StreamQueryWithParameters(connection, query, formatBytes, names, values));
        var error = engine.Api.ErrorOf(stream);
        if (error is not null)
        {
            engine.Api.DestroyResult(stream);
            throw ClickHouseException.FromErrorText(error);
        }

        return stream;
    }

    /// <summary>Fetches the next chunk into a pooled array; length 0 means the stream has ended.</summary>
    private (byte[] Chunk, int Length) FetchChunk(nint connection, nint stream)
    {
        var result = engine.Api.StreamFetch(connection, stream);
        try
        {
            ThrowIfFailed(result);
            var data = engine.Api.BufferOf(result);
            if (data.IsEmpty)
            {
                return ([], 0);
            }

            var chunk = ArrayPool<byte>.Shared.Rent(data.Length);
            data.CopyTo(chunk);
            return (chunk, data.Length);
        }
        finally
        {
            engine.Api.DestroyResult(result);
        }
    }

    private nint BeginInsert(nint connection, string insertStatement, string format)
    {
        var stream = engine.Api.BeginInsert(connection, Encoding.UTF8.GetBytes(insertStatement), Encoding.UTF8.GetBytes(format));
        var error = engine.Api.InsertErrorOf(stream);
        if (error is not null)
        {
            engine.Api.DestroyInsert(stream);
            throw ClickHouseException.FromErrorText(error);
        }

        return stream;
    }

    private long FinishInsert(nint insertStream)
    {
        var result = engine.Api.FinishInsert(insertStream);
        try
        {
            ThrowIfFailed(result);
            return checked((long)engine.Api.RowsWrittenOf(result));
        }
        finally
        {
            engine.Api.DestroyResult(result);
            engine.Api.DestroyInsert(insertStream);
        }
    }

    /// <summary>Lays the SQL and its parameters out for the native call, and frees them after it.</summary>
    private static nint WithParameters(string sql, IReadOnlyDictionary<string, string>? parameters, NativeCall call)
    {
        parameters ??= new Dictionary<string, string>();
        using var names = new NativeUtf8Array([.. parameters.Keys]);
        using var values = new NativeUtf8Array([.. parameters.Values]);
        return call(Encoding.UTF8.GetBytes(sql), names, values);
    }

    private void ThrowIfFailed(nint result)
    {
        if (result == 0)
        {
            throw new ClickHouseException(0, string.Empty, "The embedded engine returned no result.");
        }

        var error = engine.Api.ErrorOf(result);
        if (error is not null)
        {
            throw ClickHouseException.FromErrorText(error);
        }
    }
}
