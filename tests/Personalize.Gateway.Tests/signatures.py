"""Calls the gateway as two tenants, with a wrong secret, an unknown key and unsigned, and prints the error codes
botocore reported (one JSON object on the last line)."""
import json
import sys

import boto3
from botocore import UNSIGNED
from botocore.config import Config

endpoint, key_a, secret_a, key_b, secret_b = sys.argv[1:6]
config = Config(retries={"max_attempts": 1, "mode": "standard"})


def client(service, key, secret, signed=True):
    session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1")
    return session.client(service, endpoint_url=endpoint, config=config if signed else config.merge(Config(signature_version=UNSIGNED)))


def code(call):
    try:
        call()
    except Exception as e:  # botocore.exceptions.ClientError and its modelled subclasses
        return e.response["Error"]["Code"] + "/" + type(e).__name__ + "/" + str(e.response["ResponseMetadata"]["HTTPStatusCode"])
    return None


a = client("personalize", key_a, secret_a)
b = client("personalize", key_b, secret_b)
group = a.create_dataset_group(name="Shop")["datasetGroupArn"]
seen = {
    "group": group,
    "ownDescribe": a.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["name"],
    "ownList": [g["name"] for g in a.list_dataset_groups()["datasetGroups"]],
    "otherDescribe": code(lambda: b.describe_dataset_group(datasetGroupArn=group)),
    "otherList": [g["name"] for g in b.list_dataset_groups()["datasetGroups"]],
    "otherDelete": code(lambda: b.delete_dataset_group(datasetGroupArn=group)),
    "otherRuntime": code(lambda: client("personalize-runtime", key_b, secret_b).get_recommendations(
        campaignArn=group.replace("dataset-group/shop", "campaign/shop"), userId="u1")),
    "wrongSecret": code(lambda: client("personalize", key_a, "not-the-secret").list_dataset_groups()),
    "unknownKey": code(lambda: client("personalize", "AKIDUNKNOWN", "whatever").list_dataset_groups()),
    "unsigned": code(lambda: client("personalize", key_a, secret_a, signed=False).list_dataset_groups()),
    "unsignedEvents": code(lambda: client("personalize-events", key_a, secret_a, signed=False).put_events(
        trackingId="t", sessionId="s", eventList=[{"eventType": "view", "sentAt": 1}])),
}
print(json.dumps(seen))
