using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using RelayWatch.Store.Embedded;

namespace RelayWatch.Store.Tests.Support;

/// <summary>
/// TESTS ONLY. ClickHouse's HTTP interface (port 8123, as ClickHouse documents it) served by Kestrel on
/// 127.0.0.1 in front of the embedded engine, so the server engine — ClickHouse.Driver and everything
/// RelayWatch sends through it — is exercised against real ClickHouse SQL, formats and parameter
/// binding (chDB's <c>chdb_query_with_params</c>), where no modern server can be installed.
/// What it renders:
/// <list type="bullet">
/// <item><c>GET|POST /?query=…</c>: the query in the URL, in the body, or both (URL text, a newline, then
/// the body), as ClickHouse concatenates them; an INSERT in the URL takes its rows from the body in the
/// statement's <c>FORMAT</c> (RowBinary, JSONEachRow, TabSeparated, …; <c>VALUES</c> when none);</item>
/// <item><c>param_NAME</c> URL parameters bound by the engine; <c>database</c>, <c>default_format</c>
/// (TabSeparated when absent), <c>query_id</c>; any other parameter must be a ClickHouse setting
/// (checked against the engine's <c>system.settings</c>: unknown ones fail with code 115, as on a
/// server) — the settings are checked; those that limit a statement (<c>readonly</c>, <c>max_result_rows</c>,
/// <c>result_overflow_mode</c>, <c>max_execution_time</c>, <c>timeout_overflow_mode</c>, <c>max_result_bytes</c>)
/// are also applied, on a session of their own, the others are not;</item>
/// <item>credentials from Basic authentication, <c>X-ClickHouse-User</c>/<c>X-ClickHouse-Key</c> or
/// <c>user</c>/<c>password</c> parameters (code 516, HTTP 403 when wrong);</item>
/// <item>request bodies with <c>Content-Encoding</c> gzip, deflate, br or zstd; responses compressed
/// when <c>enable_http_compression=1</c>, choosing from <c>Accept-Encoding</c> in the server's own order
/// (zstd, br, gzip, deflate; zstd through Debian's libzstd);</item>
/// <item>errors as ClickHouse sends them: the <c>Code: N. DB::Exception: … (NAME) (version …)</c> body,
/// <c>X-ClickHouse-Exception-Code</c>, and HTTP 400/403/404/500… by code; an error after the
/// result has started is written in the body between <c>__exception__</c> markers with the
/// response's <c>X-ClickHouse-Exception-Tag</c>;</item>
/// <item><c>X-ClickHouse-Summary</c> (written rows of an insert), <c>X-ClickHouse-Query-Id</c>,
/// <c>X-ClickHouse-Format</c>, <c>X-ClickHouse-Timezone</c>; <c>GET /ping</c> answers <c>Ok.</c>.</item>
/// </list>
/// Not rendered: sessions, ClickHouse's own <c>compress=1</c>/<c>decompress=1</c> block format, lz4 and
/// snappy, progress headers, multipart (form-data) parameters, the readonly rules of GET.
/// </summary>
public sealed partial class ClickHouseHttpFixture : IAsyncLifetime
{
    public const string User = "default";
    public const string Password = "fixture-secret";

    /// <summary>HTTP parameters ClickHouse reads itself; every other one (but <c>param_*</c>) is a setting.</summary>
    private static readonly HashSet<string> ReservedParameters = new(StringComparer.Ordinal)
    {
        "query", "database", "default_format", "user", "password", "quota_key", "query_id", "session_id",
        "session_timeout", "session_check", "compress", "decompress", "buffer_size", "wait_end_of_query",
        "role", "stacktrace",
    };

    /// <summary>The settings the fixture applies (the engine enforces them), beyond checking that they exist.</summary>
    private static readonly HashSet<string> AppliedSettings = new(StringComparer.Ordinal)
    {
        "readonly", "max_result_rows", "result_overflow_mode", "max_execution_time", "timeout_overflow_mode", "max_result_bytes",
    };

    private readonly ConcurrentDictionary<string, Lazy<Task<EmbeddedStore>>> stores = new(StringComparer.Ordinal);
    private WebApplication? host;
    private EmbeddedStore? system;
    private HashSet<string> settingNames = [];
    private string engineVersion = string.Empty;

    public int Port { get; private set; }

    /// <summary>How many requests reached the fixture: proof that a test really went over HTTP.</summary>
    public int RequestCount => requestCount;

    private int requestCount;

    /// <summary>A connection string for ClickHouse.Driver, as a user would write one for a server.</summary>
    public string ConnectionString(string password = Password) =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username={User};Password={password}");

    public async Task InitializeAsync()
    {
        var options = TestEngine.Options("default");
        system = await EmbeddedStore.OpenAsync(options, NullLogger.Instance, CancellationToken.None);
        settingNames = [.. (await system.QueryListAsync("SELECT name FROM system.settings", null, CancellationToken.None)).Select(r => r[0])];
        engineVersion = await system.QueryScalarAsync("SELECT version()", CancellationToken.None) ?? string.Empty;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.AllowSynchronousIO = false;
        });
        host = builder.Build();
        host.MapGet("/ping", () => Results.Text("Ok.\n", "text/plain; charset=UTF-8"));
        host.Map("/", HandleAsync);
        host.MapFallback(async context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync($"There is no handle {context.Request.Path}\n\nUse / or /ping for health checks.\n", context.RequestAborted);
        });
        await host.StartAsync();
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Port = new Uri(address).Port;
    }

    public async Task DisposeAsync()
    {
        if (host is not null)
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }

        foreach (var store in stores.Values.Where(s => s.IsValueCreated))
        {
            await (await store.Value).DisposeAsync();
        }

        if (system is not null)
        {
            await system.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref requestCount);
        var request = context.Request;
        var response = new LazyResponse(context, ExceptionTag());
        try
        {
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsPost(request.Method))
            {
                throw new ClickHouseException(48, "NOT_IMPLEMENTED", $"HTTP method {request.Method} is not supported");
            }

            Authenticate(request);
            var query = request.Query;
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            var applied = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, values) in query)
            {
                if (name.StartsWith("param_", StringComparison.Ordinal))
                {
                    parameters[name["param_".Length..]] = values.ToString();
                }
                else if (AppliedSettings.Contains(name))
                {
                    applied[name] = values.ToString();
                }
                else if (!ReservedParameters.Contains(name) && !settingNames.Contains(name))
                {
                    throw new ClickHouseException(115, "UNKNOWN_SETTING", $"Unknown setting '{name}'");
                }
            }

            var database = First(query, "database") ?? First(request.Headers, "X-ClickHouse-Database") ?? "default";
            var format = First(query, "default_format") ?? First(request.Headers, "X-ClickHouse-Format") ?? "TabSeparated";
            response.QueryId = First(query, "query_id") ?? First(request.Headers, "X-ClickHouse-Query-Id") ?? Guid.NewGuid().ToString();
            response.Format = format;
            response.Compression = First(query, "enable_http_compression") is "1" or "true"
                ? ChooseCompression(request.Headers.AcceptEncoding.ToString())
                : null;
            response.WaitEndOfQuery = First(query, "wait_end_of_query") is "1" or "true";
            var store = await StoreAsync(database);

            var urlQuery = First(query, "query");
            await using var body = DecodedBody(request);
            if (urlQuery is not null && InsertWithData().Match(urlQuery) is { Success: true } insert)
            {
                // INSERT … FORMAT F in the URL: the body is the data, streamed into the engine as it arrives.
                var statement = insert.Groups["statement"].Value;
                var dataFormat = insert.Groups["format"].Success ? insert.Groups["format"].Value : "Values";
                var written = await store.InsertAsync(statement, dataFormat, (target, token) => body.CopyToAsync(target, token), context.RequestAborted);
                response.WrittenRows = written;
                await response.CompleteAsync();
                return;
            }

            using var reader = new StreamReader(body, Encoding.UTF8);
            var bodyText = await reader.ReadToEndAsync(context.RequestAborted);
            var text = urlQuery is null ? bodyText : bodyText.Length == 0 ? urlQuery : urlQuery + "\n" + bodyText;
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new ClickHouseException(62, "SYNTAX_ERROR", "Empty query");
            }

            if (applied.Count > 0)
            {
                await store.QueryWithRawParametersAsync(text, format, response, parameters, applied, context.RequestAborted);
            }
            else
            {
                await store.QueryWithRawParametersAsync(text, format, response, parameters, context.RequestAborted);
            }
            await response.CompleteAsync();
        }
        catch (ClickHouseException e)
        {
            await response.FailAsync(e.Code, ErrorText(e));
        }
        catch (InvalidDataException e)
        {
            await response.FailAsync(354, $"Code: 354. DB::Exception: Cannot decompress the request body: {e.Message} (CANNOT_DECOMPRESS) (version {engineVersion})");
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-request (an insert whose writer failed, a reader that stopped
            // early): the engine cancelled what it had, exactly as a server drops a broken request.
            context.Abort();
        }
        catch (IOException)
        {
            // The request body broke off (chunked body without its last chunk): nothing is committed.
            context.Abort();
        }
    }

    private string ErrorText(ClickHouseException error)
    {
        var text = error.Message.StartsWith("Code: ", StringComparison.Ordinal)
            ? error.Message
            : error.Name.Length > 0
                ? $"Code: {error.Code}. DB::Exception: {error.Message} ({error.Name})"
                : $"Code: {error.Code}. DB::Exception: {error.Message}";
        return $"{text} (version {engineVersion})";
    }

    private static void Authenticate(HttpRequest request)
    {
        string user;
        string password;
        if (First(request.Headers, "X-ClickHouse-User") is { } headerUser)
        {
            user = headerUser;
            password = First(request.Headers, "X-ClickHouse-Key") ?? string.Empty;
        }
        else if (AuthenticationHeader(request) is { } basic)
        {
            (user, password) = basic;
        }
        else
        {
            user = First(request.Query, "user") ?? "default";
            password = First(request.Query, "password") ?? string.Empty;
        }

        if (user != User || password != Password)
        {
            throw new ClickHouseException(516, "AUTHENTICATION_FAILED", $"{user}: Authentication failed: password is incorrect, or there is no user with such name");
        }
    }

    private static (string User, string Password)? AuthenticationHeader(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (decoded, string.Empty) : (decoded[..colon], decoded[(colon + 1)..]);
    }

    private async Task<EmbeddedStore> StoreAsync(string database)
    {
        if (!DatabaseName.IsValid(database)
            || await system!.QueryScalarAsync("SELECT count() FROM system.databases WHERE name = {name:String}", new Dictionary<string, string> { ["name"] = database }, CancellationToken.None) != "1")
        {
            throw new ClickHouseException(81, "UNKNOWN_DATABASE", $"Database {database} does not exist");
        }

        var lazy = stores.GetOrAdd(database, name => new Lazy<Task<EmbeddedStore>>(() => EmbeddedStore.OpenAsync(TestEngine.Options(name), NullLogger.Instance, CancellationToken.None)));
        return await lazy.Value;
    }

    /// <summary>The request body, decompressed as its Content-Encoding says.</summary>
    private static Stream DecodedBody(HttpRequest request)
    {
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        return encoding.ToLowerInvariant() switch
        {
            "" or "identity" => request.Body,
            "gzip" => new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            "deflate" => new ZLibStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            "br" => new BrotliStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            "zstd" => ZstdStream.ForReading(request.Body),
            _ => throw new ClickHouseException(48, "NOT_IMPLEMENTED", $"Unknown HTTP Content-Encoding: {encoding}"),
        };
    }

    /// <summary>The codec a server picks from Accept-Encoding: by its own order, whatever the client's order or q-values.</summary>
    private static string? ChooseCompression(string acceptEncoding) =>
        new[] { "zstd", "br", "gzip", "deflate" }.FirstOrDefault(codec => acceptEncoding.Contains(codec, StringComparison.OrdinalIgnoreCase));

    private static string? First(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    private static string? First(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) && !StringValues.IsNullOrEmpty(values) ? values[0] : null;

    private static string ExceptionTag() => Convert.ToHexString(Guid.NewGuid().ToByteArray())[..16].ToLowerInvariant();

    /// <summary>An INSERT whose data follows in the body: <c>INSERT INTO t (a, b) [SETTINGS …] FORMAT F</c> or <c>… VALUES</c>.</summary>
    [GeneratedRegex(@"^\s*(?<statement>INSERT\s.*?)(?:\s+FORMAT\s+(?<format>[A-Za-z0-9_]+)|\s+VALUES)?\s*$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex InsertWithData();

    /// <summary>
    /// The response body: headers go out with the first byte of the result (as a server streams a
    /// result), so an error before it is a proper HTTP error, and one after it is written in-band.
    /// </summary>
    private sealed class LazyResponse(HttpContext context, string exceptionTag) : Stream
    {
        private Stream? body;
        private MemoryStream? held;
        private long writtenBytes;

        /// <summary><c>wait_end_of_query=1</c>: the whole result is held until the statement has finished.</summary>
        public bool WaitEndOfQuery { get; set; }

        public string QueryId { get; set; } = string.Empty;

        public string Format { get; set; } = "TabSeparated";

        public string? Compression { get; set; }

        public long WrittenRows { get; set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (WaitEndOfQuery)
            {
                held ??= new MemoryStream();
                held.Write(buffer.Span);
                writtenBytes += buffer.Length;
                return;
            }

            var target = Start(StatusCodes.Status200OK);
            writtenBytes += buffer.Length;
            await target.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public async Task CompleteAsync()
        {
            var target = Start(StatusCodes.Status200OK);
            if (held is not null)
            {
                held.Position = 0;
                await held.CopyToAsync(target);
                held = null;
            }

            if (!ReferenceEquals(target, context.Response.Body))
            {
                await target.DisposeAsync();
            }
        }

        public async Task FailAsync(int code, string text)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            if (body is null)
            {
                held = null;
                context.Response.Headers["X-ClickHouse-Exception-Code"] = code.ToString(CultureInfo.InvariantCulture);
                Format = "TabSeparated";
                Compression = null;
                var target = Start(StatusFor(code), "text/plain; charset=UTF-8");
                await target.WriteAsync(Encoding.UTF8.GetBytes(text + "\n"));
                return;
            }

            // Headers are gone: ClickHouse writes the error into the body, between markers naming the tag.
            var message = Encoding.UTF8.GetBytes(text + "\n");
            var block = Encoding.UTF8.GetBytes($"__exception__\r\n{exceptionTag}\r\n")
                .Concat(message)
                .Concat(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{message.Length} {exceptionTag}\r\n__exception__\r\n")))
                .ToArray();
            await body.WriteAsync(block);
            await CompleteAsync();
        }

        private Stream Start(int status, string? contentType = null)
        {
            if (body is not null)
            {
                return body;
            }

            var response = context.Response;
            response.StatusCode = status;
            response.ContentType = contentType ?? ContentTypeOf(Format);
            response.Headers["X-ClickHouse-Query-Id"] = QueryId;
            response.Headers["X-ClickHouse-Format"] = Format;
            response.Headers["X-ClickHouse-Timezone"] = "UTC";
            response.Headers["X-ClickHouse-Exception-Tag"] = exceptionTag;
            response.Headers["X-ClickHouse-Summary"] = string.Create(
                CultureInfo.InvariantCulture,
                $"{{\"read_rows\":\"0\",\"read_bytes\":\"0\",\"written_rows\":\"{WrittenRows}\",\"written_bytes\":\"0\",\"total_rows_to_read\":\"0\",\"result_rows\":\"{WrittenRows}\",\"result_bytes\":\"{writtenBytes}\",\"elapsed_ns\":\"0\"}}");
            if (Compression is not null)
            {
                response.Headers.ContentEncoding = Compression;
            }

            body = Compression switch
            {
                "zstd" => ZstdStream.ForWriting(response.Body),
                "br" => new BrotliStream(response.Body, CompressionLevel.Fastest, leaveOpen: true),
                "gzip" => new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true),
                "deflate" => new ZLibStream(response.Body, CompressionLevel.Fastest, leaveOpen: true),
                _ => response.Body,
            };
            return body;
        }

        private static string ContentTypeOf(string format) => format switch
        {
            _ when format.StartsWith("JSON", StringComparison.Ordinal) => "application/json; charset=UTF-8",
            _ when format.StartsWith("CSV", StringComparison.Ordinal) => "text/csv; charset=UTF-8; header=absent",
            _ when format.StartsWith("RowBinary", StringComparison.Ordinal) || format is "Native" or "Parquet" or "Arrow" => "application/octet-stream",
            _ => "text/tab-separated-values; charset=UTF-8",
        };

        /// <summary>ClickHouse's exceptionCodeToHTTPStatus.</summary>
        private static int StatusFor(int code) => code switch
        {
            194 => StatusCodes.Status401Unauthorized, // REQUIRED_PASSWORD
            192 or 193 or 516 => StatusCodes.Status403Forbidden, // UNKNOWN_USER, WRONG_PASSWORD, AUTHENTICATION_FAILED
            6 or 25 or 26 or 27 or 38 or 41 or 72 or 167 or 168 or 223 or 62 or 117 or 53 => StatusCodes.Status400BadRequest,
            60 or 46 or 47 or 50 or 56 or 81 or 115 or 63 or 73 or 336 => StatusCodes.Status404NotFound,
            48 => StatusCodes.Status501NotImplemented,
            209 or 76 => StatusCodes.Status503ServiceUnavailable,
            381 => StatusCodes.Status411LengthRequired,
            _ => StatusCodes.Status500InternalServerError,
        };
    }
}
