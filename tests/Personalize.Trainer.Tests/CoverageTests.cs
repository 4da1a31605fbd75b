using Personalize.Api;
using Personalize.Models.Training;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

public sealed class CoverageTests
{
    [Fact]
    public async Task Coverage_DividesByEveryItemOfTheInteractionsAndItemsDatasets()
    {
        var taste = TasteData.Create(users: 100);
        var data = new TrainingData
        {
            Interactions = taste.Interactions,
            ExcludedInteractions = [new Interaction("u1", "only-viewed", 1_700_000_000)],
            CatalogueItems = taste.CatalogueItems,
        };

        var trained = await Training.TrainAsync(Recipes.PopularityCount, data);

        // Everyone gets the same 25 popular items; the catalogue is 200 items with interactions, 20 without, and one
        // the eventType filter left out of training.
        Assert.Equal(25.0 / 221, trained.Metrics["coverage"], 6);
    }
}
