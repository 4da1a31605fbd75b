// Verbs arrive with the data and trainer work: import, train, batch-infer.
Console.Error.WriteLine("usage: personalize-trainer <import|train|batch-infer> --spec job.json");
return 2;
