using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Host.Hosting;
using Pipeline.Tests.Host.Inspector;
using Xunit;

namespace Pipeline.Tests.Host.Hosting;

[Trait("Category", "Integration")]
public sealed class PipelineServiceTests
{
    [Fact]
    public async Task Host_should_stop_with_the_failure_when_a_companion_fails()
    {
        var failure = new InvalidOperationException("the synthetic producer broke");
        var host = await RunningHost.StartAsync(
            "pipeline.embedded.producer.enabled = off",
            services => services.AddSingleton<IPipelineCompanion>(new FailingCompanion(failure)));
        try
        {
            var stopping = host.App.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

            // Before the watch, the host ran on with no input and reported nothing until it was stopped.
            await Task.Delay(Timeout.InfiniteTimeSpan, stopping).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Same(failure, host.Runtime.Failure);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private sealed class FailingCompanion(Exception failure) : IPipelineCompanion
    {
        public async Task RunAsync(PipelineRuntime runtime, CancellationToken stopping)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), stopping);
            throw failure;
        }
    }
}
