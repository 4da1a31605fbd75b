using Personalize.Testing;
using Xunit;

namespace Personalize.Gateway.Tests;

/// <summary>Amazon Personalize's Getting Started, in boto3, against `personalize local`: real import, TorchSharp training, serving.</summary>
public sealed class GettingStartedTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("personalize-getting-started-");

    [Fact]
    public async Task GettingStartedSequence_RunsUnchanged_ThroughLocalModesPrintedEndpoint()
    {
        await using var local = LocalModeProcess.Start(_root.FullName, FreePort.Next());
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(20));
            await local.GenerateDataAsync("gs-data", timeout.Token);
            var endpoint = await local.ApiEndpointAsync(TimeSpan.FromMinutes(2));
            Assert.Contains("open: signatures are not checked", local.Output, StringComparison.Ordinal);

            var seen = await Boto3.RunAsync("getting_started.py", [endpoint, local.Store, "gs-data"], TimeSpan.FromMinutes(20));

            Assert.True(seen["recipes"]!.GetValue<int>() >= 5);
            Assert.InRange(seen["metrics"]!["precision_at_25"]!.GetValue<double>(), 0.0, 1.0);
            Assert.StartsWith("arn:aws:personalize:::recipe/aws-hrnn", seen["bestRecipe"]!.GetValue<string>(), StringComparison.Ordinal);
            var before = seen["before"]!.AsArray().Select(i => i!.GetValue<string>()).ToList();
            Assert.Equal(10, before.Count);
            Assert.Equal(before.Take(5).Order(StringComparer.Ordinal), seen["ranking"]!.AsArray().Select(i => i!.GetValue<string>()).Order(StringComparer.Ordinal));
            // The event reached the campaign's runtime through the gateway: the item just viewed is not recommended again.
            var after = seen["after"]!.AsArray().Select(i => i!.GetValue<string>()).ToList();
            Assert.DoesNotContain(before[0], after);
            var batch = seen["batchOut"]!.AsArray();
            Assert.Equal(3, batch.Count);
            Assert.Equal("u1", batch[0]!["input"]!["userId"]!.GetValue<string>());
            Assert.Equal(5, batch[0]!["output"]!["recommendedItems"]!.AsArray().Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var tail = string.Join('\n', local.Output.Split('\n').TakeLast(60));
            throw new Xunit.Sdk.XunitException($"{ex.Message}\n--- personalize local (last 60 lines) ---\n{tail}");
        }
    }

    public void Dispose() => _root.Delete(recursive: true);
}
