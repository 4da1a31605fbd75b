using System.Globalization;
using System.Text;
using Personalize.Api;

namespace Personalize.Operator.Docs;

/// <summary>
/// Renders docs/recipes.md from the <see cref="Recipes"/> catalogue: the recipes this product trains, what each is
/// for, and every hyper-parameter with the default, range and HPO flag the operator validates against.
/// </summary>
public static class RecipeReference
{
    private static readonly Dictionary<string, string> UseFor = new(StringComparer.Ordinal)
    {
        [RecipeTypes.UserPersonalization] = "GetRecommendations with a `userId`: \"for you\" lists. Real-time events change the next answer without retraining.",
        [RecipeTypes.PersonalizedRanking] = "GetPersonalizedRanking: re-order a list you already have (search results, a category page) for one user.",
        [RecipeTypes.RelatedItems] = "GetRecommendations with an `itemId`: \"people who liked this also liked\". No scores, as in Personalize.",
        [RecipeTypes.PopularItems] = "GetRecommendations, no `userId` needed (only for a filter that reads it): the same list for everyone. Popularity-count is the baseline every other recipe should beat.",
    };

    public static string Render()
    {
        var text = new StringBuilder();
        text.Append("# Recipes\n\n");
        text.Append("<!-- Generated from lib/Personalize.Api/Recipes by `personalize docs`. Do not edit by hand. -->\n\n");
        text.Append("A Solution names its recipe with `recipeArn: arn:aws:personalize:::recipe/<name>` (or sets `performAutoML: true`, ");
        text.Append("which trains the AutoML candidates and keeps the best by `solutionConfig.autoMLConfig.metricName`). ");
        text.Append("`solutionConfig.algorithmHyperParameters` and `featureTransformationParameters` take the parameters below by their ");
        text.Append("Personalize names, as strings; the operator refuses unknown names and out-of-range values with a condition naming the ");
        text.Append("parameter, so a typo never trains silently with a default. With `performHPO: true`, the tunable parameters are searched ");
        text.Append("within `solutionConfig.hpoConfig.algorithmHyperParameterRanges`, for the objective `hpoObjective.metricName` (an ");
        text.Append("offline metric's name below; `metricRegex` is refused). With `performAutoML: true` each candidate trains with its ");
        text.Append("own defaults, so `recipeArn`, `algorithmHyperParameters` and `featureTransformationParameters` are refused with it.\n\n");
        text.Append("Every training holds out 10% of users and reports Personalize's offline metrics in the SolutionVersion's ");
        text.Append("`status.metrics` (`coverage`, `mean_reciprocal_rank_at_25`, `normalized_discounted_cumulative_gain_at_5/10/25`, ");
        text.Append("`precision_at_5/10/25`), computed with the same scoring code the runtime serves with, asking for each held-out user as ");
        text.Append("the runtime does: by user id, so the metadata recipes start from the user's metadata as they do when serving, with the ");
        text.Append("user's oldest 90% of interactions as their events. `coverage` divides by every ");
        text.Append("item of the Interactions and Items datasets. HPO and AutoML choose their winner on validation users held out of the ");
        text.Append("training users and report the test users' metrics; AutoML searches each candidate's tunable parameters within ");
        text.Append("`hpoResourceConfig.maxNumberOfTrainingJobs` (default: 4 trainings per candidate with something to tune). Trials run ");
        text.Append("one at a time, so `maxParallelTrainingJobs` above 1 is refused.\n\n");
        text.Append("No recipe leaves out the items a user already had unless a filter says so, as in Personalize. But where (almost) no ");
        text.Append("user in the training data has an item twice, as in rating data, the HRNN family learns only which of the items a user ");
        text.Append("has not had comes next, and the model gives the user's own items the share of repeats the data showed (the model ");
        text.Append("manifest's `repeatShare`, (repeats + 1) / (events + 2)): they rank after the new items it expects, in evaluation, batch ");
        text.Append("inference and the runtime alike, and still fill a list that the new items cannot.\n\n");
        text.Append(CultureInfo.InvariantCulture, $"AutoML candidates: {string.Join(", ", Recipes.AutoMLCandidates.Select(r => $"`{r}`"))}.\n\n");

        text.Append("| Recipe | Type | What it models | Serve it with |\n|---|---|---|---|\n");
        foreach (var recipe in Recipes.All)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| [`{recipe.Name}`](#{recipe.Name}) | {recipe.RecipeType} | {recipe.Description} | {UseFor.GetValueOrDefault(recipe.RecipeType, string.Empty)} |\n");
        }

        foreach (var recipe in Recipes.All)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n## {recipe.Name}\n\n`{recipe.Arn}` · {recipe.RecipeType}\n\n{recipe.Description}\n\n");
            if (recipe.HyperParameters.Count == 0)
            {
                text.Append("No hyper-parameters.\n");
                continue;
            }

            text.Append("| Parameter | Section | Type | Default | Range or values | HPO |\n|---|---|---|---|---|---|\n");
            foreach (var parameter in recipe.HyperParameters)
            {
                var section = parameter.Featurization ? "featureTransformationParameters" : "algorithmHyperParameters";
                var range = parameter.Kind == HyperParameterKind.Categorical
                    ? string.Join(", ", parameter.Values)
                    : $"{Number(parameter.Min)} to {Number(parameter.Max)}";
                text.Append(CultureInfo.InvariantCulture,
                    $"| `{parameter.Name}` | {section} | {parameter.Kind.ToString().ToLowerInvariant()} | `{parameter.Default}` | {range} | {(parameter.Tunable ? "yes" : "no")} |\n");
            }
        }

        return text.ToString();
    }

    private static string Number(double value) =>
        value >= int.MaxValue ? "no limit" : value.ToString(CultureInfo.InvariantCulture);
}
