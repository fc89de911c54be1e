// One whole system at a time: each is five processes on a two-core machine, and the outage test restarts the broker
// that the RabbitMQ collection's system also uses.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
