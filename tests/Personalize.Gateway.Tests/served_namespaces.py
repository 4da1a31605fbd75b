"""Calls a gateway that serves only tenant A's namespace, as A and as B (a valid key of a namespace not served), and
prints what each got (one JSON object on the last line)."""
import json
import sys

import boto3
from botocore.config import Config

endpoint, key_a, secret_a, key_b, secret_b = sys.argv[1:6]
config = Config(retries={"max_attempts": 1, "mode": "standard"})


def client(service, key, secret):
    session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1")
    return session.client(service, endpoint_url=endpoint, config=config)


def refusal(call):
    try:
        call()
    except Exception as e:  # botocore.exceptions.ClientError
        return {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"], "message": e.response["Error"]["Message"]}
    return None


a = client("personalize", key_a, secret_a)
b = client("personalize", key_b, secret_b)
group = a.create_dataset_group(name="Shop")["datasetGroupArn"]
seen = {
    "ownList": [g["name"] for g in a.list_dataset_groups()["datasetGroups"]],
    "unservedList": refusal(lambda: b.list_dataset_groups()),
    "unservedCreate": refusal(lambda: b.create_dataset_group(name="Elsewhere")),
    "unservedRuntime": refusal(lambda: client("personalize-runtime", key_b, secret_b).get_recommendations(
        campaignArn=group.replace("dataset-group/shop", "campaign/shop"), userId="u1")),
}
print(json.dumps(seen))
