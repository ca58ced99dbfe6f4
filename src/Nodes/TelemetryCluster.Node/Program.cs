using TelemetryCluster.Nodes.Cli;

return await NodeProgram.MainAsync(args).ConfigureAwait(false);
