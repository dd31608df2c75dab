using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RelayWatch.Store.Formats;

namespace RelayWatch.Store.Tests.Support;

/// <summary>
/// The fixture answers as ClickHouse's HTTP interface is documented to, checked with a plain
/// HttpClient (no driver): otherwise the server-engine tests would only prove that the driver and
/// the fixture agree with each other.
/// </summary>
[Trait("Engine", "Server")]
public sealed class ClickHouseHttpFixtureTests(ClickHouseHttpFixture fixture) : IClassFixture<ClickHouseHttpFixture>, IDisposable
{
    private readonly HttpClient http = Client(fixture, ClickHouseHttpFixture.Password);

    public void Dispose() => http.Dispose();

    [Fact]
    public async Task PingAnswersOk()
    {
        Assert.Equal("Ok.\n", await http.GetStringAsync(new Uri("/ping", UriKind.Relative)));
    }

    [Fact]
    public async Task TheQueryMayStartInTheUrlAndEndInTheBody()
    {
        using var response = await http.PostAsync(Url("query=SELECT%20number%20%2B%201%20FROM"), new StringContent("numbers(2)"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1\n2\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("TabSeparated", response.Headers.GetValues("X-ClickHouse-Format").Single());
    }

    [Fact]
    public async Task ParametersInTheUrlAreBoundByTheEngineInTheirTextForm()
    {
        var query = Uri.EscapeDataString("SELECT length({list:Array(String)}), {text:String}, {day:Date} + 1");
        var list = Uri.EscapeDataString("['a','b']");
        var text = Uri.EscapeDataString(@"tab\there");

        var body = await http.GetStringAsync(Url($"query={query}&param_list={list}&param_text={text}&param_day=2026-11-28"));

        Assert.Equal("2\ttab\\there\t2026-11-29\n", body);
    }

    [Theory]
    [InlineData("SELEC 1", HttpStatusCode.BadRequest, 62, "SYNTAX_ERROR")]
    [InlineData("SELECT * FROM no_such_table", HttpStatusCode.NotFound, 60, "UNKNOWN_TABLE")]
    [InlineData("SELECT throwIf(1, 'no')", HttpStatusCode.InternalServerError, 395, "FUNCTION_THROW_IF_VALUE_IS_NON_ZERO")]
    public async Task AnErrorHasClickHousesStatusHeaderAndBody(string sql, HttpStatusCode status, int code, string name)
    {
        using var response = await http.PostAsync(Url(string.Empty), new StringContent(sql));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("X-ClickHouse-Exception-Code").Single());
        Assert.StartsWith($"Code: {code}. DB::Exception: ", body, StringComparison.Ordinal);
        Assert.Matches($@"\({name}\) \(version 26\.7\.[0-9.]+\)\n$", body);
    }

    [Fact]
    public async Task AnUnknownSettingIsRefusedAsByAServer()
    {
        using var response = await http.PostAsync(Url("no_such_setting=1"), new StringContent("SELECT 1"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("Code: 115. DB::Exception: Unknown setting 'no_such_setting' (UNKNOWN_SETTING)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongPasswordIsForbidden()
    {
        using var wrong = Client(fixture, "wrong");

        using var response = await wrong.PostAsync(Url(string.Empty), new StringContent("SELECT 1"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("516", response.Headers.GetValues("X-ClickHouse-Exception-Code").Single());
    }

    [Theory]
    [InlineData("zstd, lz4, gzip, deflate", "zstd")]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("deflate, gzip", "gzip")]
    [InlineData("deflate", "deflate")]
    public async Task ACompressedResponseUsesTheServersPreferredCodec(string acceptEncoding, string expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url("enable_http_compression=1")) { Content = new StringContent("SELECT number FROM numbers(100000)") };
        request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);

        using var response = await http.SendAsync(request);
        await using var raw = await response.Content.ReadAsStreamAsync();
        await using Stream decoded = expected switch
        {
            "zstd" => ZstdStream.ForReading(raw),
            "br" => new BrotliStream(raw, CompressionMode.Decompress),
            "gzip" => new GZipStream(raw, CompressionMode.Decompress),
            _ => new ZLibStream(raw, CompressionMode.Decompress),
        };
        using var reader = new StreamReader(decoded);
        var lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(expected, response.Content.Headers.ContentEncoding.Single());
        Assert.Equal(100_000, lines.Length);
        Assert.Equal("99999", lines[^1]);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("zstd")]
    public async Task ACompressedRequestBodyIsDecoded(string encoding)
    {
        using var compressed = new MemoryStream();
        await using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true),
            _ => ZstdStream.ForWriting(compressed),
        })
        {
            await compressor.WriteAsync(Encoding.UTF8.GetBytes("SELECT 'decoded'"));
        }

        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentEncoding.Add(encoding);
        using var response = await http.PostAsync(Url(string.Empty), content);

        Assert.Equal("decoded\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnInsertTakesRowBinaryRowsFromTheBodyAndReportsThemInTheSummary()
    {
        var database = TestEngine.UniqueDatabase();
        await PostAsync($"CREATE DATABASE {database}");
        await PostAsync($"CREATE TABLE {database}.rows (n UInt64, s String) ENGINE = MergeTree ORDER BY n");
        var writer = new RowBinaryWriter();
        for (ulong i = 0; i < 1000; i++)
        {
            writer.WriteUInt64(i);
            writer.WriteString("row\t" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var response = await http.PostAsync(
            Url($"database={database}&query={Uri.EscapeDataString("INSERT INTO rows (n, s) FORMAT RowBinary")}"),
            new ByteArrayContent(writer.WrittenMemory.ToArray()));
        var summary = JsonDocument.Parse(response.Headers.GetValues("X-ClickHouse-Summary").Single()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1000", summary.GetProperty("written_rows").GetString());
        Assert.Equal("1000\t499500\n", await PostAsync($"SELECT count(), sum(n) FROM {database}.rows"));
    }

    [Fact]
    public async Task AnUnknownDatabaseIsNotFound()
    {
        using var response = await http.PostAsync(Url("database=no_such_database"), new StringContent("SELECT 1"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("81", response.Headers.GetValues("X-ClickHouse-Exception-Code").Single());
    }

    [Fact]
    public async Task AnErrorAfterTheResultStartedIsWrittenBetweenMarkersNamingTheResponsesTag()
    {
        using var response = await http.PostAsync(
            Url(string.Empty),
            new StringContent("SELECT number, throwIf(number = 300000, 'stopped part way') FROM numbers(400000) SETTINGS max_block_size = 1000"));
        var tag = response.Headers.GetValues("X-ClickHouse-Exception-Tag").Single();
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("0\t0\n1\t0\n", body, StringComparison.Ordinal);
        Assert.Matches($"__exception__\r\n{tag}\r\nCode: 395\\. DB::Exception: [^\n]*stopped part way[^\n]*\n[0-9]+ {tag}\r\n__exception__\r\n$", body);
    }

    [Fact]
    public async Task WaitEndOfQueryTurnsALateErrorIntoAnHttpError()
    {
        using var response = await http.PostAsync(
            Url("wait_end_of_query=1"),
            new StringContent("SELECT number, throwIf(number = 300000, 'stopped part way') FROM numbers(400000) SETTINGS max_block_size = 1000"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.StartsWith("Code: 395. DB::Exception: ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static HttpClient Client(ClickHouseHttpFixture fixture, string password)
    {
        var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{fixture.Port}/"),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClickHouseHttpFixture.User}:{password}")));
        return client;
    }

    private static Uri Url(string query) => new("/?" + query, UriKind.Relative);

    private async Task<string> PostAsync(string sql)
    {
        using var response = await http.PostAsync(Url(string.Empty), new StringContent(sql));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return body;
    }
}
