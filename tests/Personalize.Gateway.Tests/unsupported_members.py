"""Sends the Personalize members this installation does not act on, set and left empty, and what the operator would
fail a solution for, with boto3; prints each refusal and what the lists show after it (one JSON object on the last line)."""
import json
import sys

import boto3
from botocore.config import Config

endpoint = sys.argv[1]
session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
pz = session.client("personalize", endpoint_url=endpoint, config=Config(retries={"max_attempts": 1, "mode": "standard"}))
ROLE = "arn:aws:iam::123456789012:role/PersonalizeRole"
HRNN = "arn:aws:personalize:::recipe/aws-hrnn"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def refusal(call):
    try:
        call()
    except pz.exceptions.ClientError as e:
        return {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"], "message": e.response["Error"]["Message"]}
    return None


def batch_job(name, version, destination):
    return pz.create_batch_inference_job(jobName=name, solutionVersionArn=version, roleArn=ROLE,
                                         jobInput={"s3DataSource": {"path": "s3://bucket/batch/users.json"}},
                                         jobOutput={"s3DataDestination": destination})


group = pz.create_dataset_group(name="Shop")["datasetGroupArn"]
seen = {
    "eventsConfig": refusal(lambda: pz.create_solution(
        name="Weighted", datasetGroupArn=group, recipeArn=HRNN,
        solutionConfig={"eventsConfig": {"eventParametersList": [{"eventType": "purchase", "weight": 0.9}]}})),
    "autoMLWithHyperParameters": refusal(lambda: pz.create_solution(
        name="Tuned_AutoML", datasetGroupArn=group, performAutoML=True,
        solutionConfig={"algorithmHyperParameters": {"hidden_dimension": "64"}})),
    "noRecipe": refusal(lambda: pz.create_solution(name="No_Recipe", datasetGroupArn=group)),
    "bareRecipeName": refusal(lambda: pz.create_solution(name="Bare_Recipe", datasetGroupArn=group, recipeArn="aws-hrnn")),
}
seen["solutionsAfterRefusals"] = [s["name"] for s in pz.list_solutions(datasetGroupArn=group)["solutions"]]

# Empty, null or false values change nothing and pass.
solution = pz.create_solution(name="Plain", datasetGroupArn=group, recipeArn=HRNN, performIncrementalUpdate=False,
                              solutionConfig={"eventsConfig": {"eventParametersList": []}, "optimizationObjective": {}})["solutionArn"]
seen["updateEventsConfig"] = refusal(lambda: pz.update_solution(
    solutionArn=solution, performAutoTraining=True,
    solutionUpdateConfig={"eventsConfig": {"eventParametersList": [{"eventType": "purchase", "weight": 0.9}]}}))
seen["autoTrainingAfterRefusal"] = pz.describe_solution(solutionArn=solution)["solution"]["performAutoTraining"]
version = pz.create_solution_version(solutionArn=solution)["solutionVersionArn"]

seen["rankingInfluence"] = refusal(lambda: pz.create_campaign(
    name="Influenced", solutionVersionArn=version, campaignConfig={"rankingInfluence": {"POPULARITY": 0.5}}))
seen["campaignsAfterRefusal"] = [c["name"] for c in pz.list_campaigns(solutionArn=solution)["campaigns"]]
pz.create_campaign(name="Plain", solutionVersionArn=version, campaignConfig={"rankingInfluence": {}})

seen["kmsKeyArn"] = refusal(lambda: batch_job("Encrypted", version, {"path": "s3://bucket/batch/out/", "kmsKeyArn": KEY}))
seen["jobsAfterRefusal"] = [j["jobName"] for j in pz.list_batch_inference_jobs(solutionVersionArn=version)["batchInferenceJobs"]]
batch_job("Plain", version, {"path": "s3://bucket/batch/out/", "kmsKeyArn": ""})

seen["solutions"] = [s["name"] for s in pz.list_solutions(datasetGroupArn=group)["solutions"]]
seen["campaigns"] = [c["name"] for c in pz.list_campaigns(solutionArn=solution)["campaigns"]]
seen["jobs"] = [j["jobName"] for j in pz.list_batch_inference_jobs(solutionVersionArn=version)["batchInferenceJobs"]]
print(json.dumps(seen))
