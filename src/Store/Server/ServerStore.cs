using System.Data.Common;
using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using ClickHouse.Driver.Utility;

namespace RelayWatch.Store.Server;

/// <summary>
/// <see cref="IClickHouseStore"/> on a ClickHouse server or cluster, over HTTP through the official
/// ClickHouse.Driver. Deliberately thin: the SQL is shared with the embedded engine, and only the
/// transport and the translation of its errors live here.
/// </summary>
internal sealed class ServerStore : IClickHouseStore
{
    private const string ForegroundInsert = "distributed_foreground_insert";

    /// <summary>ClickHouse's UNKNOWN_SETTING.</summary>
    private const int UnknownSetting = 115;

    private readonly ClickHouseClient client;
    private readonly string endpoint;

    private ServerStore(ClickHouseClient client, string endpoint, string database, string? cluster)
    {
        this.client = client;
        this.endpoint = endpoint;
        Info = new StoreInfo("server", endpoint, database) { Cluster = cluster };
    }

    public StoreInfo Info { get; }

    /// <summary>Connects, checks that the server answers and accepts our credentials, and creates the database.</summary>
    public static async Task<ServerStore> OpenAsync(StoreOptions options, CancellationToken cancellationToken)
    {
        ClickHouseClientSettings settings;
        string connectionString;
        try
        {
            connectionString = WithPassword(options.ConnectionString!, options.Password);
            settings = new ClickHouseClientSettings(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new StoreUnavailableException($"The ClickHouse connection string is not valid ({e.Message.TrimEnd('.')}); write it as Host=…;Port=8123;Username=…;Password=…", e);
        }

        var endpoint = string.Create(CultureInfo.InvariantCulture, $"{settings.Host}:{settings.Port}");
        var database = string.IsNullOrEmpty(settings.Database) || settings.Database == "default" ? options.Database : settings.Database;
        var bootstrap = new ClickHouseClient(settings);
        try
        {
            await Translate(endpoint, () => bootstrap.ExecuteNonQueryAsync($"CREATE DATABASE IF NOT EXISTS {database}", null, null, cancellationToken)).ConfigureAwait(false);
        }
        catch (ClickHouseException e) when (e.Code == UnknownSetting)
        {
            // The driver sends settings with every request; a server that knows none of them is years out of support.
            throw new StoreUnavailableException($"The ClickHouse server at {endpoint} is too old for RelayWatch ({e.Message.TrimEnd('.')}); use a ClickHouse release that still receives security updates.", e);
        }
        finally
        {
            bootstrap.Dispose();
        }

        var builder = new ClickHouseConnectionStringBuilder(connectionString) { Database = database };
        return new ServerStore(new ClickHouseClient(builder.ConnectionString), endpoint, database, options.Cluster);
    }

    /// <summary>The connection string with the password given apart from it (from a file or the environment), which wins.</summary>
    private static string WithPassword(string connectionString, string? password) =>
        password is null ? connectionString : new ClickHouseConnectionStringBuilder(connectionString) { Password = password }.ConnectionString;

    public Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken) =>
        Translate(endpoint, async () =>
        {
            using var result = await client.ExecuteRawResultAsync(sql, RequestOptions(sql, parameters), cancellationToken).ConfigureAwait(false);
            return 0;
        });

    public Task QueryAsync(string sql, string format, Stream output, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken) =>
        Translate(endpoint, async () =>
        {
            using var result = await client.ExecuteRawResultAsync(
                $"{sql.TrimEnd().TrimEnd(';')}\nFORMAT {format}", RequestOptions(sql, parameters), cancellationToken).ConfigureAwait(false);
            var body = await result.ReadDecompressedStreamAsync().ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                await body.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        });

    public Task QueryAsync(string sql, string format, Stream output, IReadOnlyDictionary<string, string>? parameters, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        QuerySettings.Validate(settings);
        return Translate(endpoint, async () =>
        {
            var options = RequestOptions(sql, parameters);
            foreach (var (name, value) in settings)
            {
                options.CustomSettings![name] = value;
            }

            using var result = await client.ExecuteRawResultAsync($"{sql.TrimEnd().TrimEnd(';')}\nFORMAT {format}", options, cancellationToken).ConfigureAwait(false);
            var body = await result.ReadDecompressedStreamAsync().ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                await body.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        });
    }

    public Task<long> InsertAsync(BulkInsert insert, Func<Stream, CancellationToken, Task> writeRows, CancellationToken cancellationToken) =>
        Translate(endpoint, async () =>
        {
            insert = OnThisCluster(insert);
            // The rows are written while the request is sent; a failure of the caller's own writer
            // reaches us wrapped as a failed request, and is the caller's to see as it was thrown.
            Exception? writerFailure = null;
            async Task WriteRowsAsync(Stream body, CancellationToken token)
            {
                try
                {
                    await writeRows(body, token).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    writerFailure = e;
                    throw;
                }
            }

            try
            {
                using var response = await client.PostStreamAsync(
                    $"{insert.ToSql()} FORMAT {insert.Format}", WriteRowsAsync, false, cancellationToken).ConfigureAwait(false);
                return WrittenRows(response);
            }
            catch (Exception) when (writerFailure is not null)
            {
                ExceptionDispatchInfo.Throw(writerFailure);
                throw;
            }
        });

    /// <summary>
    /// On a cluster, an insert into a Distributed table returns only once every shard has its rows
    /// (<c>distributed_foreground_insert</c>): ingest commits a batch's checkpoint on that answer, so a shard that
    /// cannot be reached fails the batch, which is re-sent with its deduplication token, instead of the rows
    /// waiting in a queue on the server that took the insert while the checkpoint says they are stored.
    /// </summary>
    private BulkInsert OnThisCluster(BulkInsert insert) =>
        Info.Cluster is null || insert.Settings.ContainsKey(ForegroundInsert) ? insert
            : insert with { Settings = new Dictionary<string, string>(insert.Settings) { [ForegroundInsert] = "1" } };

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// What a statement sends besides its text, as URL parameters:
    /// <list type="bullet">
    /// <item>each parameter as <c>param_NAME</c>, holding the text ClickHouse's own parser reads for the
    /// placeholder's type (<see cref="QueryParameters"/>), the same text the embedded engine receives.
    /// Not the driver's typed binding: given a string, ClickHouse.Driver 1.5.0 formats it by the
    /// placeholder's type, so an <c>Array(String)</c> value became an array of its characters;</item>
    /// <item><c>wait_end_of_query=1</c>: the server buffers the result until the statement has finished,
    /// so an error part way through a result is an HTTP error the driver raises, never text written
    /// into the middle of rows that would reach the caller as data.</item>
    /// </list>
    /// </summary>
    private static QueryOptions RequestOptions(string sql, IReadOnlyDictionary<string, string>? parameters)
    {
        var urlParameters = new Dictionary<string, object>(StringComparer.Ordinal) { ["wait_end_of_query"] = "1" };
        foreach (var (name, value) in QueryParameters.Render(sql, parameters) ?? new Dictionary<string, string>())
        {
            urlParameters["param_" + name] = value;
        }

        return new QueryOptions { CustomSettings = urlParameters };
    }

    /// <summary>Rows written, from the <c>X-ClickHouse-Summary</c> header ClickHouse sends with every insert.</summary>
    private static long WrittenRows(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("X-ClickHouse-Summary", out var values)
            && JsonDocument.Parse(values.First()).RootElement.TryGetProperty("written_rows", out var written))
        {
            return long.Parse(written.GetString() ?? "0", CultureInfo.InvariantCulture);
        }

        return 0;
    }

    /// <summary>Turns the driver's transport and server errors into the store's two exception types.</summary>
    private static async Task<T> Translate<T>(string endpoint, Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (ClickHouseServerException e) when (e.ErrorCode is 516 or 192 or 193 or 194)
        {
            throw new StoreUnavailableException($"The ClickHouse server at {endpoint} refused the user name or password; check Username and Password in the connection string.", e);
        }
        catch (ClickHouseServerException e)
        {
            throw ClickHouseException.FromErrorText(e.Message);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new StoreUnavailableException($"The ClickHouse server at {endpoint} cannot be reached ({(e.InnerException ?? e).Message.TrimEnd('.')}); check Host and Port in the connection string and that the server is running.", e);
        }
        catch (HttpRequestException e)
        {
            throw new StoreUnavailableException($"The ClickHouse server at {endpoint} failed the request ({e.Message.TrimEnd('.')}).", e);
        }
        catch (DbException e)
        {
            throw ClickHouseException.FromErrorText(e.Message);
        }
    }

    private static Task Translate(string endpoint, Func<Task<int>> operation) => Translate<int>(endpoint, operation);
}
