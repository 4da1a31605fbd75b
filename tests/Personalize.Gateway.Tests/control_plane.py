"""Drives the personalize control plane with boto3 exactly as a user would (endpoint_url, SigV4 with the given keys)
and prints what it saw as one JSON object on the last line."""
import datetime
import json
import sys

import boto3
from botocore.config import Config

endpoint = sys.argv[1]
session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
pz = session.client("personalize", endpoint_url=endpoint, config=Config(retries={"max_attempts": 1, "mode": "standard"}))
ROLE = "arn:aws:iam::123456789012:role/PersonalizeRole"
SCHEMA = {"type": "record", "name": "Interactions", "namespace": "com.amazonaws.personalize.schema", "version": "1.0",
          "fields": [{"name": "USER_ID", "type": "string"}, {"name": "ITEM_ID", "type": "string"}, {"name": "TIMESTAMP", "type": "long"}]}
seen = {}


def raised(call):
    """The botocore exception class a call raised (None when it succeeded)."""
    try:
        call()
    except pz.exceptions.ClientError as e:
        return type(e).__name__ + ": " + e.response["Error"]["Message"]
    return None


seen["recipes"] = [r["recipeArn"] for r in pz.list_recipes(recipeProvider="SERVICE")["recipes"]]
seen["simsType"] = pz.describe_recipe(recipeArn="arn:aws:personalize:::recipe/aws-sims")["recipe"]["recipeType"]
seen["currentRecipeTypes"] = {
    name: pz.describe_recipe(recipeArn=f"arn:aws:personalize:::recipe/{name}")["recipe"]["recipeType"]
    for name in ["aws-user-personalization", "aws-similar-items", "aws-trending-now"]
}

schema = pz.create_schema(name="Retail_Interactions", schema=json.dumps(SCHEMA))["schemaArn"]
group = pz.create_dataset_group(name="Retail_Shop")["datasetGroupArn"]
described = pz.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]
seen["group"] = {"arn": group, "name": described["name"], "status": described["status"],
                 "createdIsDatetime": isinstance(described["creationDateTime"], datetime.datetime),
                 "createdYear": described["creationDateTime"].year}
dataset = pz.create_dataset(name="Retail_Interactions", schemaArn=schema, datasetGroupArn=group, datasetType="INTERACTIONS")["datasetArn"]
seen["datasetType"] = pz.describe_dataset(datasetArn=dataset)["dataset"]["datasetType"]
job = pz.create_dataset_import_job(jobName="Import_1", datasetArn=dataset, roleArn=ROLE,
                                   dataSource={"dataLocation": "s3://bucket/interactions.csv"})["datasetImportJobArn"]
seen["importJobs"] = [j["jobName"] for j in pz.list_dataset_import_jobs(datasetArn=dataset)["datasetImportJobs"]]
solution = pz.create_solution(name="Hrnn_Solution", datasetGroupArn=group, recipeArn="arn:aws:personalize:::recipe/aws-hrnn")["solutionArn"]
version = pz.create_solution_version(solutionArn=solution)["solutionVersionArn"]
campaign = pz.create_campaign(name="Shop_Campaign", solutionVersionArn=solution + "/$LATEST", minProvisionedTPS=10)["campaignArn"]
c = pz.describe_campaign(campaignArn=campaign)["campaign"]
seen["campaign"] = {"name": c["name"], "solutionVersionArn": c["solutionVersionArn"], "version": version, "tps": c["minProvisionedTPS"]}
seen["campaignsOfSolution"] = [x["name"] for x in pz.list_campaigns(solutionArn=solution)["campaigns"]]
tracker = pz.create_event_tracker(name="Shop_Tracker", datasetGroupArn=group)
seen["trackingId"] = tracker["trackingId"]
seen["trackerDescribed"] = pz.describe_event_tracker(eventTrackerArn=tracker["eventTrackerArn"])["eventTracker"]["trackingId"]
batch = pz.create_batch_inference_job(jobName="Batch_1", solutionVersionArn=version, roleArn=ROLE, numResults=5,
                                      jobInput={"s3DataSource": {"path": "s3://bucket/batch/users.json"}},
                                      jobOutput={"s3DataDestination": {"path": "s3://bucket/batch/out/"}})["batchInferenceJobArn"]
seen["batchNumResults"] = pz.describe_batch_inference_job(batchInferenceJobArn=batch)["batchInferenceJob"]["numResults"]

filters = [pz.create_filter(name=f"Filter_{i}", datasetGroupArn=group, filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")')["filterArn"]
           for i in range(10)]
pages, token = [], None
while True:
    page = pz.list_filters(datasetGroupArn=group, maxResults=4, **({"nextToken": token} if token else {}))
    pages.append(len(page["Filters"]))
    token = page.get("nextToken")
    if not token:
        break
seen["filterPages"] = pages

pz.update_solution(solutionArn=solution, performAutoTraining=True)
seen["autoTraining"] = pz.describe_solution(solutionArn=solution)["solution"]["performAutoTraining"]
seen["solutionsOfGroup"] = [s["name"] for s in pz.list_solutions(datasetGroupArn=group)["solutions"]]
seen["versionsOfSolution"] = [v["solutionVersionArn"] for v in pz.list_solution_versions(solutionArn=solution)["solutionVersions"]]

seen["errors"] = {
    "notFound": raised(lambda: pz.describe_campaign(campaignArn=campaign + "-missing")),
    "sameName": raised(lambda: pz.create_dataset_group(name="Retail_Shop")),
    "collision": raised(lambda: pz.create_dataset_group(name="retail-shop")),
    "badType": raised(lambda: pz.create_dataset(name="Actions", schemaArn=schema, datasetGroupArn=group, datasetType="Actions")),
    "badFilter": raised(lambda: pz.create_filter(name="Bad", datasetGroupArn=group, filterExpression="EXCLUDE everything")),
    "groupInUse": raised(lambda: pz.delete_dataset_group(datasetGroupArn=group)),
    "updateNotActive": raised(lambda: pz.update_campaign(campaignArn=campaign, minProvisionedTPS=20)),
    "eleventhFilter": raised(lambda: pz.create_filter(name="Filter_10", datasetGroupArn=group, filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("view")')),
    "metricsNotActive": raised(lambda: pz.get_solution_metrics(solutionVersionArn=version)),
    "badToken": raised(lambda: pz.list_filters(nextToken="nonsense")),
    "wrongArnType": raised(lambda: pz.describe_solution(solutionArn=campaign)),
}

pz.delete_filter(filterArn=filters[0])
seen["deletedFilter"] = raised(lambda: pz.describe_filter(filterArn=filters[0]))
seen["solutionWithCampaign"] = raised(lambda: pz.delete_solution(solutionArn=solution))
sims = pz.create_solution(name="Sims_Solution", datasetGroupArn=group, recipeArn="arn:aws:personalize:::recipe/aws-sims")["solutionArn"]
sims_version = pz.create_solution_version(solutionArn=sims)["solutionVersionArn"]
seen["solutionTraining"] = raised(lambda: pz.delete_solution(solutionArn=sims))
pz.stop_solution_version_creation(solutionVersionArn=sims_version)
seen["stoppedVersionKept"] = pz.describe_solution_version(solutionVersionArn=sims_version)["solutionVersion"]["solutionVersionArn"] == sims_version
# No operator runs here, so the stop is requested and not yet carried out: the version still counts as training.
seen["solutionStopping"] = raised(lambda: pz.delete_solution(solutionArn=sims))
spare = pz.create_solution(name="Spare_Solution", datasetGroupArn=group, recipeArn="arn:aws:personalize:::recipe/aws-sims")["solutionArn"]
pz.delete_solution(solutionArn=spare)
seen["solutionsAfterDelete"] = [s["name"] for s in pz.list_solutions()["solutions"]]
seen["versionsAfterDelete"] = len(pz.list_solution_versions()["solutionVersions"])
pz.delete_campaign(campaignArn=campaign)
seen["campaignsAfterDelete"] = [x["name"] for x in pz.list_campaigns()["campaigns"]]
print(json.dumps(seen))
