using TelemetryCluster.Streams.Receivers.FileLog.Operators;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators;

public sealed class ExpressionTests
{
    private static LogEntry Entry()
    {
        var entry = new LogEntry { Body = "GET /health 200" };
        entry.Attributes["level"] = "error";
        entry.Attributes["code"] = 503L;
        entry.Attributes["ratio"] = 0.5;
        entry.Attributes["ok"] = false;
        entry.Attributes["k8s.pod.name"] = "api-7";
        entry.Attributes["nested"] = new Dictionary<string, object?> { ["x"] = "y" };
        entry.Resource["service.name"] = "checkout";
        return entry;
    }

    [Theory]
    [InlineData("attributes.level == \"error\"", true)]
    [InlineData("attributes.level == 'error'", true)]
    [InlineData("attributes.level != \"error\"", false)]
    [InlineData("attributes.code >= 500", true)]
    [InlineData("attributes.code < 503.5", true)]
    [InlineData("attributes.code == 503.0", true)]
    [InlineData("attributes.ratio > 0.25 and attributes.ratio <= 0.5", true)]
    [InlineData("attributes.ok == false", true)]
    [InlineData("!attributes.ok", true)]
    [InlineData("not (attributes.level == \"error\")", false)]
    [InlineData("attributes.missing == nil", true)]
    [InlineData("attributes.level == nil", false)]
    [InlineData("attributes[\"k8s.pod.name\"] startsWith \"api-\"", true)]
    [InlineData("attributes[\"k8s.pod.name\"] endsWith \"-7\"", true)]
    [InlineData("body contains \"/health\"", true)]
    [InlineData("body matches \"^GET /health \\\\d+$\"", true)]
    [InlineData("body matches \"^(?P<verb>POST)\"", false)]
    [InlineData("attributes.level in [\"warn\", \"error\"]", true)]
    [InlineData("attributes.code in [500, 502]", false)]
    [InlineData("\"level\" in attributes", true)]
    [InlineData("attributes.nested.x == \"y\"", true)]
    [InlineData("resource[\"service.name\"] == \"checkout\" && attributes.code > 400", true)]
    [InlineData("attributes.level == \"info\" || attributes.level == \"error\"", true)]
    [InlineData("attributes.level > 5", false)]
    [InlineData("attributes.missing contains \"x\"", false)]
    [InlineData("true", true)]
    [InlineData("attributes.ok", false)]
    public void Evaluates_the_documented_subset(string text, bool expected)
    {
        Assert.True(Expression.TryParse(text, TimeSpan.FromSeconds(1), out var expression, out var error), error);

        Assert.Equal(expected, expression.IsTrue(Entry()));
    }

    [Theory]
    [InlineData("attributes.code + 1 > 2", "+")]
    [InlineData("len(body) > 2", "unsupported name \"len\"")]
    [InlineData("env(\"HOME\") == \"x\"", "unsupported name \"env\"")]
    [InlineData("attributes.level == ", "unexpected end")]
    [InlineData("(attributes.level == \"x\"", "expected \")\"")]
    [InlineData("body matches attributes.level", "string literal")]
    [InlineData("body matches \"(\"", "invalid regex")]
    [InlineData("timestamp > 0", "unsupported name \"timestamp\"")]
    [InlineData("attributes.a ? 1 : 2", "?")]
    public void Rejects_everything_else_with_a_reason(string text, string reason)
    {
        Assert.False(Expression.TryParse(text, TimeSpan.FromSeconds(1), out _, out var error));

        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
