using System.Net;
using Personalize.Data.Datasets;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests.BadInput;

/// <summary>
/// Every generated bad request (<see cref="BadInputCases"/>) against one runtime: the status and error type it must
/// get, a message naming the field, and afterwards a server that still answers and a store nothing was added to.
/// </summary>
public sealed class BadInputTests(BadInputTests.Runtime runtime) : IClassFixture<BadInputTests.Runtime>
{
    public static TheoryData<string> Names { get; } = new(BadInputCases.All.Select(c => c.Name));

    [Fact]
    public void TheSuiteCoversEveryEndpointWithAtLeast150Cases()
    {
        Assert.True(BadInputCases.All.Count >= 150, $"{BadInputCases.All.Count} cases");
        Assert.Equal(BadInputCases.All.Count, BadInputCases.All.Select(c => c.Name).Distinct().Count());
        Assert.Equal(
            ["/events", "/items", "/personalize-ranking", "/recommendations", "/users"],
            BadInputCases.All.Select(c => c.Path).Distinct().Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task IsRefusedNamingTheField_AndChangesNothing(string name)
    {
        var bad = BadInputCases.All.Single(c => c.Name == name);

        var reply = await runtime.Server.PostAsync(bad.Path, bad.Body);

        Assert.True((int)reply.Status == bad.Status, $"expected {bad.Status}, got {(int)reply.Status}: {reply.Body}");
        Assert.NotNull(reply.ErrorType);
        Assert.Contains(bad.Field, reply.Message, StringComparison.Ordinal);
        (await runtime.Server.Client.GetAsync("/healthz")).EnsureSuccessStatusCode();
        Assert.Equal(TestModels.Items.Length, (await runtime.Server.RecommendAsync("u2", 25)).Count);
        Assert.Equal(runtime.Stored, await runtime.ListStoredAsync());
    }

    /// <summary>A runtime over its own S3 server, with metadata, a filter, the test schemas and one stored event.</summary>
    public sealed class Runtime : IAsyncLifetime
    {
        private readonly S3Server _s3 = new();
        private RuntimeConfig? _config;

        public RuntimeServer Server { get; private set; } = null!;

        /// <summary>
        /// Every object under the dataset group (key and size) once the runtime started, but the served-lists log: the
        /// tests' own good requests add to it, as every answer does.
        /// </summary>
        public List<string> Stored { get; private set; } = [];

        public async Task InitializeAsync()
        {
            await _s3.InitializeAsync();
            _config = await TestCampaign.CreateAsync(_s3);
            _config.CampaignConfig.EnableMetadataWithRecommendations = true;
            _config.Filters.Add(new() { FilterArn = "arn:k8s:personalize:test::filter/genre", FilterExpression = "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)" });
            Server = await RuntimeServer.StartAsync(_s3, _config);
            (await Server.PutEventAsync("u9", "i1")).EnsureOk();
            Stored = await ListStoredAsync();
        }

        public async Task<List<string>> ListStoredAsync()
        {
            var stored = new List<string>();
            var group = S3Uri.Parse(_config!.DatasetGroupUri);
            var servedLists = StoreLayout.Dataset(group, ServedRecommendations.Log).Key;
            await foreach (var o in RuntimeServer.Store(_s3).ListAsync(group, CancellationToken.None))
            {
                if (!o.Uri.Key.StartsWith(servedLists, StringComparison.Ordinal))
                {
                    stored.Add($"{o.Uri.Key} {o.Size}");
                }
            }

            return stored;
        }

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            await _s3.DisposeAsync();
        }
    }
}
