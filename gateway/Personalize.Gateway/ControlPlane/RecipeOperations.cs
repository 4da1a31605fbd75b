using System.Text.Json.Nodes;
using Personalize.Api;
using Personalize.Gateway.Protocol;

namespace Personalize.Gateway.ControlPlane;

/// <summary>The recipes this service trains (read-only, the same for every tenant).</summary>
public static class RecipeOperations
{
    /// <summary>Recipes have no creation time of their own; a fixed one keeps responses stable.</summary>
    private static readonly double Created = Shapes.Seconds(new DateTimeOffset(2019, 6, 10, 0, 0, 0, TimeSpan.Zero));

    public static JsonObject ListRecipes(Call call)
    {
        if (call.Request.String("recipeProvider") is { } provider and not "SERVICE")
        {
            throw PersonalizeException.InvalidInput($"recipeProvider '{provider}' is not SERVICE.");
        }

        // Every recipe here is a custom-dataset-group recipe; a domain filter lists none, as Personalize's custom recipes are not domain ones.
        var recipes = call.Request.String("domain") is null ? Recipes.All : [];
        return Paging.Page(call.Request, recipes, _ => DateTimeOffset.UnixEpoch, r => r.Name, "recipes", r => Summary(r));
    }

    public static JsonObject DescribeRecipe(Call call)
    {
        var arn = call.Request.Required("recipeArn");
        var recipe = Recipes.Find(arn) is { } found && found.Arn == arn ? found : throw PersonalizeException.NotFound($"recipeArn: {arn} does not exist.");
        return new JsonObject
        {
            ["recipe"] = Summary(recipe).With(
                ("algorithmArn", $"arn:aws:personalize:::algorithm/{recipe.Name}"),
                ("description", recipe.Description),
                ("recipeType", recipe.RecipeType)),
        };
    }

    private static JsonObject Summary(Recipe recipe) => new()
    {
        ["name"] = recipe.Name,
        ["recipeArn"] = recipe.Arn,
        ["status"] = Phases.Active,
        ["creationDateTime"] = Created,
        ["lastUpdatedDateTime"] = Created,
    };
}
