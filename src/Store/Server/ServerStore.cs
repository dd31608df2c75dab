using System.Data.Common;
using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;
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
    /// <summary>ClickHouse's UNKNOWN_SETTING.</summary>
    private const int UnknownSetting = 115;

    private readonly ClickHouseClient client;
    private readonly string endpoint;

    private ServerStore(ClickHouseClient client, string endpoint, string database)
    {
        this.client = client;
        this.endpoint = endpoint;
        Info = new StoreInfo("server", endpoint, database);
    }

    public StoreInfo Info { get; }

    /// <summary>Connects, checks that the server answers and accepts our credentials, and creates the database.</summary>
    public static async Task<ServerStore> OpenAsync(StoreOptions options, CancellationToken cancellationToken)
    {
        ClickHouseClientSettings settings;
        try
        {
            settings = new ClickHouseClientSettings(options.ConnectionString!);
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

        var builder = new ClickHouseConnectionStringBuilder(options.ConnectionString!) { Database = database };
        return new ServerStore(new ClickHouseClient(builder.ConnectionString), endpoint, database);
    }

    public Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken) =>
        Translate(endpoint, async () =>
        {
            using var connection = client.CreateConnection();
            using var command = Command(connection, sql, parameters);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });

    public Task QueryAsync(string sql, string format, Stream output, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken) =>
        Translate(endpoint, async () =>
        {
            using var connection = client.CreateConnection();
            using var command = Command(connection, $"{sql.TrimEnd().TrimEnd(';')}\nFORMAT {format}", parameters);
            using var result = await command.ExecuteRawResultAsync(cancellationToken).ConfigureAwait(false);
            var body = await result.ReadDecompressedStreamAsync().ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                await body.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        });

    public Task<long> InsertAsync(BulkInsert insert, Func<Stream, CancellationToken, Task> writeRows, CancellationToken cancellationToken) =>
        Translate(endpoint, async () =>
        {
            using var response = await client.PostStreamAsync(
                $"{insert.ToSql()} FORMAT {insert.Format}", writeRows, false, cancellationToken).ConfigureAwait(false);
            return WrittenRows(response);
        });

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }

    private static ClickHouseCommand Command(ClickHouseConnection connection, string sql, IReadOnlyDictionary<string, string>? parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters ?? new Dictionary<string, string>())
        {
            command.AddParameter(name, value);
        }

        return command;
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
