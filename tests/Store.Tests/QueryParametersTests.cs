namespace RelayWatch.Store.Tests;

public sealed class QueryParametersTests
{
    [Fact]
    public void PlaceholdersAreReadWithTheirTypesOutsideLiteralsAndComments()
    {
        const string sql = """
            SELECT '{fake:String}', `{alsoFake:UInt8}` -- {comment:String}
            /* {block:Date} */ FROM t
            WHERE day = { day : Date } AND ts > {since:DateTime64(3, 'UTC')} AND has({nets:Array(String)}, 'it''s {x:String}')
            """;

        var types = QueryParameters.PlaceholderTypes(sql);

        Assert.Equal(
            new Dictionary<string, string> { ["day"] = "Date", ["since"] = "DateTime64(3, 'UTC')", ["nets"] = "Array(String)" },
            types);
    }

    [Theory]
    [InlineData("String", "a\tb\\c\nd", "a\\tb\\\\c\\nd")]
    [InlineData("LowCardinality(Nullable(String))", "\\N", "\\N")]
    [InlineData("Nullable(String)", "\\Nx", "\\\\Nx")]
    [InlineData("String", "\\N", "\\\\N")]
    [InlineData("Array(String)", "['a\\'b']", "['a\\'b']")]
    [InlineData("Tuple(String, UInt16)", "('a\\\\b', 1)", "('a\\\\b', 1)")]
    [InlineData("Map(String, UInt8)", "{'a':1}", "{'a':1}")]
    [InlineData("IPv6", "2001:db8::1", "2001:db8::1")]
    public void AValueIsSentAsTheTextItsTypeIsReadFrom(string type, string value, string sent)
    {
        Assert.Equal(sent, QueryParameters.Render(type, value));
    }

    [Fact]
    public void AParameterTheStatementDoesNotNameIsEscapedAsAScalar()
    {
        var rendered = QueryParameters.Render("SELECT {a:Array(String)}", new Dictionary<string, string> { ["a"] = "['x\\\\y']", ["unused"] = "t\tu" });

        Assert.Equal("['x\\\\y']", rendered!["a"]);
        Assert.Equal("t\\tu", rendered["unused"]);
    }
}
