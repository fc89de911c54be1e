// One AppHost at a time: each run starts DCP, the dashboard, a sidecar and apps, and two cores are better spent on
// one run than shared by three that then miss their health deadlines.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
