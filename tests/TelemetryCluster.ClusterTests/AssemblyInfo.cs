// Every test starts several node processes; on 2 cores two clusters at once would starve each other's failure
// detectors and timers. Tests run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
