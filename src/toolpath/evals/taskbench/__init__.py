"""TaskBench-style evaluation of toolpath's planner: loader, metrics, runner, report."""
