"""Calls a personalize-runtime with boto3's personalize-runtime and personalize-events clients, exactly as a user
would (endpoint_url, SigV4 with dummy keys), and prints what it saw as one JSON object."""
import datetime
import json
import os
import sys

import boto3
from botocore.config import Config

endpoint, campaign_arn, tracking_id = sys.argv[1:4]
session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
config = Config(retries={"max_attempts": 1, "mode": "standard"})
runtime = session.client("personalize-runtime", endpoint_url=endpoint, config=config)
events = session.client("personalize-events", endpoint_url=endpoint, config=config)
# A campaign that requires its bearer token (cluster mode): after signing, the token replaces the SigV4 header.
token = os.environ.get("PERSONALIZE_RUNTIME_TOKEN")
if token:
    def bearer(request, **_):
        request.headers["Authorization"] = f"Bearer {token}"
    for client in (runtime, events):
        client.meta.events.register("before-send", bearer)
seen = {}

before = runtime.get_recommendations(campaignArn=campaign_arn, userId="u1", numResults=3)
seen["before"] = [i["itemId"] for i in before["itemList"]]
seen["score"] = before["itemList"][0].get("score")
seen["recommendationId"] = before["recommendationId"]
seen["requestId"] = before["ResponseMetadata"]["RequestId"]

events.put_events(
    trackingId=tracking_id,
    userId="u1",
    sessionId="boto-session",
    eventList=[{
        "eventType": "click",
        "itemId": "i1",
        "sentAt": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
        "eventValue": 1.5,
        "properties": json.dumps({"device": "phone"}),
        "recommendationId": before["recommendationId"],
        "impression": seen["before"],
    }],
)
after = runtime.get_recommendations(campaignArn=campaign_arn, userId="u1", numResults=3)
seen["after"] = [i["itemId"] for i in after["itemList"]]

ranking = runtime.get_personalized_ranking(campaignArn=campaign_arn, userId="u2", inputList=["i1", "unknown", "i6"])
seen["ranking"] = [i["itemId"] for i in ranking["personalizedRanking"]]

# Properties must fit the dataset's Items schema: the caller names them when its schema is not the runtime tests' one.
item_properties = os.environ.get("PERSONALIZE_ITEM_PROPERTIES", json.dumps({"genre": "Drama"}))
events.put_items(datasetArn=sys.argv[4], items=[{"itemId": "i2", "properties": item_properties}])
events.put_users(datasetArn=sys.argv[5], users=[{"userId": "u1", "properties": json.dumps({"age": 31})}])

def error_code(call):
    try:
        call()
    except runtime.exceptions.InvalidInputException as e:
        return "InvalidInputException: " + e.response["Error"]["Message"]
    except runtime.exceptions.ResourceNotFoundException as e:
        return "ResourceNotFoundException: " + e.response["Error"]["Message"]
    except events.exceptions.InvalidInputException as e:
        return "events.InvalidInputException: " + e.response["Error"]["Message"]
    return "no error"

seen["tooMany"] = error_code(lambda: runtime.get_recommendations(campaignArn=campaign_arn, userId="u1", numResults=501))
seen["unknownCampaign"] = error_code(lambda: runtime.get_recommendations(campaignArn=campaign_arn + "-other", userId="u1"))
seen["badEvent"] = error_code(lambda: events.put_events(
    trackingId=tracking_id, sessionId="s",
    eventList=[{"eventType": "click", "sentAt": datetime.datetime.now(), "properties": json.dumps({"userId": "x"})}]))
print(json.dumps(seen))
