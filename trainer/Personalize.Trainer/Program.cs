using Personalize.Trainer.Cli;
using Personalize.Trainer.Verbs;

// Each verb is one class; adding a verb is adding it to this list.
ITrainerVerb[] verbs =
[
    new ImportVerb(),
    new GenerateVerb(),
];

return await TrainerCli.RunAsync(verbs, args);
