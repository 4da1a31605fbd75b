"""Amazon Personalize's Getting Started as boto3 calls, unchanged but for endpoint_url and keys: schema, dataset
group, dataset, import, an AutoML solution and a personalized-ranking one, versions, metrics, campaigns,
recommendations, a ranking, an event that changes the next answer, and a batch inference job whose .out is read
back. Prints what it saw as one JSON object on the last line.

Usage: getting_started.py ENDPOINT STORE DATA_BUCKET. STORE is where the data lives: local mode's folder store, or an
S3 endpoint URL (a cluster's object store; its keys in S3_ACCESS_KEY / S3_SECRET_KEY). Personalize keys: GS_KEY /
GS_SECRET."""
import datetime
import json
import os
import sys
import time

import boto3
from botocore.config import Config

endpoint, store, data_bucket = sys.argv[1:4]
session = boto3.session.Session(aws_access_key_id=os.environ.get("GS_KEY", "test"),
                                aws_secret_access_key=os.environ.get("GS_SECRET", "test"), region_name="us-east-1")
config = Config(retries={"max_attempts": 1, "mode": "standard"})
personalize = session.client("personalize", endpoint_url=endpoint, config=config)
runtime = session.client("personalize-runtime", endpoint_url=endpoint, config=config)
events = session.client("personalize-events", endpoint_url=endpoint, config=config)
ROLE = "arn:aws:iam::123456789012:role/PersonalizeRole"
s3 = boto3.client("s3", endpoint_url=store, aws_access_key_id=os.environ["S3_ACCESS_KEY"], aws_secret_access_key=os.environ["S3_SECRET_KEY"],
                  region_name="us-east-1", config=Config(s3={"addressing_style": "path"})) if store.startswith("http") else None
seen = {}


def wait_active(describe, key, what, timeout=900):
    deadline = time.time() + timeout
    status = None
    while time.time() < deadline:
        resource = describe()[key]
        status = resource["status"]
        if status == "ACTIVE":
            return resource
        if status == "CREATE FAILED":
            raise RuntimeError(f"{what} failed: {resource.get('failureReason')}")
        time.sleep(2)
    raise TimeoutError(f"{what} still {status} after {timeout} s")


seen["recipes"] = len(personalize.list_recipes()["recipes"])
schema_arn = personalize.create_schema(name="GettingStartedInteractions", schema=json.dumps({
    "type": "record", "name": "Interactions", "namespace": "com.amazonaws.personalize.schema", "version": "1.0",
    "fields": [{"name": "USER_ID", "type": "string"}, {"name": "ITEM_ID", "type": "string"}, {"name": "TIMESTAMP", "type": "long"},
               {"name": "EVENT_TYPE", "type": "string"}, {"name": "EVENT_VALUE", "type": ["null", "float"]},
               {"name": "DEVICE", "type": ["null", "string"], "categorical": True}]}))["schemaArn"]
group_arn = personalize.create_dataset_group(name="GettingStarted")["datasetGroupArn"]
wait_active(lambda: personalize.describe_dataset_group(datasetGroupArn=group_arn), "datasetGroup", "dataset group")
dataset_arn = personalize.create_dataset(name="GettingStartedInteractions", schemaArn=schema_arn, datasetGroupArn=group_arn,
                                         datasetType="Interactions")["datasetArn"]
import_arn = personalize.create_dataset_import_job(jobName="GettingStartedImport", datasetArn=dataset_arn, roleArn=ROLE,
                                                   dataSource={"dataLocation": f"s3://{data_bucket}/interactions.csv"})["datasetImportJobArn"]
wait_active(lambda: personalize.describe_dataset_import_job(datasetImportJobArn=import_arn), "datasetImportJob", "import")

solution_arn = personalize.create_solution(name="GettingStartedAutoML", datasetGroupArn=group_arn, performAutoML=True)["solutionArn"]
version_arn = personalize.create_solution_version(solutionArn=solution_arn)["solutionVersionArn"]
ranking_solution_arn = personalize.create_solution(name="GettingStartedRanking", datasetGroupArn=group_arn,
                                                   recipeArn="arn:aws:personalize:::recipe/aws-personalized-ranking")["solutionArn"]
ranking_version_arn = personalize.create_solution_version(solutionArn=ranking_solution_arn)["solutionVersionArn"]
wait_active(lambda: personalize.describe_solution_version(solutionVersionArn=version_arn), "solutionVersion", "AutoML version")
wait_active(lambda: personalize.describe_solution_version(solutionVersionArn=ranking_version_arn), "solutionVersion", "ranking version")
seen["metrics"] = personalize.get_solution_metrics(solutionVersionArn=version_arn)["metrics"]
seen["bestRecipe"] = personalize.describe_solution(solutionArn=solution_arn)["solution"].get("autoMLResult", {}).get("bestRecipeArn")

campaign_arn = personalize.create_campaign(name="GettingStarted", solutionVersionArn=version_arn, minProvisionedTPS=10)["campaignArn"]
ranking_campaign_arn = personalize.create_campaign(name="GettingStartedRanking", solutionVersionArn=ranking_version_arn, minProvisionedTPS=1)["campaignArn"]
tracker = personalize.create_event_tracker(name="GettingStartedEvents", datasetGroupArn=group_arn)
wait_active(lambda: personalize.describe_campaign(campaignArn=campaign_arn), "campaign", "campaign")
wait_active(lambda: personalize.describe_campaign(campaignArn=ranking_campaign_arn), "campaign", "ranking campaign")
wait_active(lambda: personalize.describe_event_tracker(eventTrackerArn=tracker["eventTrackerArn"]), "eventTracker", "event tracker")

before = [i["itemId"] for i in runtime.get_recommendations(campaignArn=campaign_arn, userId="u1", numResults=10)["itemList"]]
seen["before"] = before
ranking = runtime.get_personalized_ranking(campaignArn=ranking_campaign_arn, userId="u1", inputList=before[:5])["personalizedRanking"]
seen["ranking"] = [i["itemId"] for i in ranking]
events.put_events(trackingId=tracker["trackingId"], userId="u1", sessionId="getting-started",
                  eventList=[{"eventType": "view", "itemId": before[0], "sentAt": datetime.datetime.now(datetime.timezone.utc)}])
seen["after"] = [i["itemId"] for i in runtime.get_recommendations(campaignArn=campaign_arn, userId="u1", numResults=10)["itemList"]]


def write_object(key, text):
    if s3:
        s3.put_object(Bucket=data_bucket, Key=key, Body=text.encode())
        return
    path = os.path.join(store, data_bucket, key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def read_object(key):
    if s3:
        return s3.get_object(Bucket=data_bucket, Key=key)["Body"].read().decode()
    with open(os.path.join(store, data_bucket, key)) as f:
        return f.read()


write_object("batch/users.json", "\n".join(json.dumps({"userId": u}) for u in ["u1", "u2", "u3"]) + "\n")
batch_arn = personalize.create_batch_inference_job(
    jobName="GettingStartedBatch", solutionVersionArn=version_arn, roleArn=ROLE, numResults=5,
    jobInput={"s3DataSource": {"path": f"s3://{data_bucket}/batch/users.json"}},
    jobOutput={"s3DataDestination": {"path": f"s3://{data_bucket}/batch-out/"}})["batchInferenceJobArn"]
wait_active(lambda: personalize.describe_batch_inference_job(batchInferenceJobArn=batch_arn), "batchInferenceJob", "batch job")
seen["batchOut"] = [json.loads(line) for line in read_object("batch-out/users.json.out").splitlines() if line.strip()]
print(json.dumps(seen))
