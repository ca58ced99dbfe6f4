namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>
/// One validated operator of the list: identity, the common keys, its output groups and a factory for a fresh
/// instance (compiled regexes, layouts and expressions are shared; per-reader state is not).
/// </summary>
/// <param name="OutputGroups">
/// Ids per target group; null = the next operator in the list (after the last: the pipeline's output). Ordinary
/// operators have one group (<c>output</c>); a router has one per route, then its default (empty = drop).
/// </param>
internal sealed record OperatorDefinition(
    string Id,
    string Type,
    string Path,
    Expression? If,
    OnErrorMode OnError,
    IReadOnlyList<string[]?> OutputGroups,
    Func<Operator> Create);
