using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Personalize.Api;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.LocalMode;

/// <summary>
/// Once every campaign serves, prints ready-to-paste curl commands against the real endpoints: a recommendation, a
/// ranking, related items, an event and a filtered request. Item ids come from one real recommendation call, so the
/// commands use ids the model knows.
/// </summary>
public sealed class ServingSummary(IResourceStore store, HttpClient http, Func<string, string> reportLocation)
{
    /// <summary>The user the printed commands ask about; any id works (unknown users get popular items).</summary>
    public const string SampleUser = "u1";

    /// <summary>
    /// True when there is at least one campaign and every campaign is ACTIVE with an endpoint that answers /readyz. The
    /// probe matters on a rerun: the statuses remembered from the last run name endpoints that are gone until the
    /// controllers have started the runtimes again.
    /// </summary>
    public async Task<bool> AllServingAsync(CancellationToken cancellationToken)
    {
        var campaigns = store.List<Campaign>();
        if (campaigns.Count == 0 || campaigns.Any(c => c.Status.Phase != Phases.Active || c.Status.Endpoint is null))
        {
            return false;
        }

        foreach (var campaign in campaigns)
        {
            try
            {
                using var response = await http.GetAsync($"{campaign.Status.Endpoint!.TrimEnd('/')}/readyz", cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    return false;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A fingerprint of what is served, so the summary is printed again only when it changes.</summary>
    public string ServingFingerprint() =>
        string.Join(";", store.List<Campaign>().OrderBy(c => c.Metadata.Name, StringComparer.Ordinal)
            .Select(c => $"{c.Metadata.Name}={c.Status.Endpoint}@{c.Status.ServingSolutionVersion}"));

    public async Task<string> RenderAsync(CancellationToken cancellationToken)
    {
        var text = new StringBuilder("\nCampaigns are serving on localhost. Try:\n");
        var campaigns = store.List<Campaign>().OrderBy(c => c.Metadata.Name, StringComparer.Ordinal).ToList();
        var personal = campaigns.FirstOrDefault(c => RecipeType(c) == RecipeTypes.UserPersonalization);
        var items = personal is null ? [] : await SampleItemsAsync(personal, cancellationToken);
        var item = items.FirstOrDefault() ?? "i1";

        foreach (var campaign in campaigns)
        {
            var recipe = RecipeOf(campaign) is { } recipeName ? Recipes.Find(recipeName)?.Name ?? recipeName : "unknown recipe";
            var arn = campaign.Status.Arn ?? Arn.For("campaign", campaign.Metadata.NamespaceProperty ?? "default", campaign.Metadata.Name);
            switch (RecipeType(campaign))
            {
                case RecipeTypes.RelatedItems:
                    Command(text, $"items related to {item} ({campaign.Metadata.Name}, {recipe})", campaign.Status.Endpoint!, "recommendations",
                        new JsonObject { ["campaignArn"] = arn, ["itemId"] = item, ["numResults"] = 5 });
                    break;
                case RecipeTypes.PersonalizedRanking:
                    Command(text, $"rank items for user {SampleUser} ({campaign.Metadata.Name}, {recipe})", campaign.Status.Endpoint!, "personalize-ranking",
                        new JsonObject { ["campaignArn"] = arn, ["userId"] = SampleUser, ["inputList"] = Ids(items.Take(3)) });
                    break;
                default:
                    Command(text, $"recommendations for user {SampleUser} ({campaign.Metadata.Name}, {recipe})", campaign.Status.Endpoint!, "recommendations",
                        new JsonObject { ["campaignArn"] = arn, ["userId"] = SampleUser, ["numResults"] = 5 });
                    if (RecipeType(campaign) == RecipeTypes.UserPersonalization && items.Count >= 3)
                    {
                        Command(text, $"re-rank three items for user {SampleUser} ({campaign.Metadata.Name})", campaign.Status.Endpoint!, "personalize-ranking",
                            new JsonObject { ["campaignArn"] = arn, ["userId"] = SampleUser, ["inputList"] = Ids(items.Skip(2).Take(3).Reverse()) });
                    }

                    break;
            }
        }

        if (personal is not null)
        {
            var personalArn = personal.Status.Arn!;
            foreach (var filter in store.List<Filter>().Where(f => f.Status.Phase == Phases.Active))
            {
                var values = new JsonObject();
                foreach (var parameter in filter.Status.Parameters ?? [])
                {
                    values[parameter] = "\"c1\"";
                }

                Command(text, $"recommendations through the filter {filter.Metadata.Name} ({filter.Spec.FilterExpression})", personal.Status.Endpoint!, "recommendations",
                    new JsonObject { ["campaignArn"] = personalArn, ["userId"] = SampleUser, ["numResults"] = 5, ["filterArn"] = filter.Status.Arn, ["filterValues"] = values });
            }

            if (store.List<EventTracker>().FirstOrDefault(t => t.Status.TrackingId is not null) is { } tracker)
            {
                var sentAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                Command(text, $"record that {SampleUser} viewed {item} ({tracker.Metadata.Name}); the next recommendation reflects it at once", personal.Status.Endpoint!, "events",
                    new JsonObject
                    {
                        ["trackingId"] = tracker.Status.TrackingId,
                        ["userId"] = SampleUser,
                        ["sessionId"] = "quickstart",
                        ["eventList"] = new JsonArray(new JsonObject { ["eventType"] = "view", ["itemId"] = item, ["sentAt"] = sentAt }),
                    });
            }
        }

        var reports = store.List<SolutionVersion>().Where(v => v.Status.ReportUri is not null).OrderBy(v => v.Metadata.Name, StringComparer.Ordinal).ToList();
        if (reports.Count > 0)
        {
            text.Append("\nTraining reports (loss, metrics against the popularity baseline, the data; open in a browser):\n");
            foreach (var version in reports)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {version.Metadata.Name}: {reportLocation(version.Status.ReportUri!)}\n");
            }
        }

        text.Append("\nCtrl-C stops everything; run it again to reuse what is built and trained.\n");
        return text.ToString();
    }

    private async Task<IReadOnlyList<string>> SampleItemsAsync(Campaign campaign, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsJsonAsync(
                $"{campaign.Status.Endpoint!.TrimEnd('/')}/recommendations",
                new { campaignArn = campaign.Status.Arn, userId = SampleUser, numResults = 5 },
                cancellationToken);
            response.EnsureSuccessStatusCode();
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return body.RootElement.GetProperty("itemList").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()!).ToList();
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // The commands still print, with a placeholder item; the runtime's own answer will say what is wrong.
            return [];
        }
    }

    private string? RecipeOf(Campaign campaign) =>
        store.Get<SolutionVersion>(campaign.Metadata.NamespaceProperty ?? string.Empty, campaign.Spec.SolutionVersionRef.Name)?.Status.Recipe;

    private string? RecipeType(Campaign campaign) => RecipeOf(campaign) is { } recipe ? Recipes.Find(recipe)?.RecipeType : null;

    private static JsonArray Ids(IEnumerable<string> ids) => new(ids.Select(id => (JsonNode)JsonValue.Create(id)).ToArray());

    private static void Command(StringBuilder text, string comment, string endpoint, string path, JsonObject body)
    {
        var json = body.ToJsonString().Replace("'", "'\\''", StringComparison.Ordinal);
        text.Append(CultureInfo.InvariantCulture, $"\n  # {comment}\n");
        text.Append(CultureInfo.InvariantCulture, $"  curl -s {endpoint.TrimEnd('/')}/{path} -H 'content-type: application/json' -d '{json}'\n");
    }
}
