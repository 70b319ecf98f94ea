"""One AWS API call with boto3, configured only by the environment (keys or a profile, a region),
as a user configures it: aws_call.py OPERATION ENDPOINT JSON-ARGUMENTS [CA-BUNDLE].
Prints the answer as JSON, or {"error": code, "status": http-status} and exits 3."""
import json
import sys

import boto3
import botocore.exceptions

operation, endpoint, arguments = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
service = "iot-data" if operation == "publish" else "apigatewaymanagementapi"
options = {"endpoint_url": endpoint}
if len(sys.argv) > 4:
    options["verify"] = sys.argv[4]
client = boto3.client(service, **options)
try:
    answer = getattr(client, operation)(**arguments)
    answer.pop("ResponseMetadata", None)
    print(json.dumps(answer, default=str))
except botocore.exceptions.ClientError as e:
    print(json.dumps({"error": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}))
    sys.exit(3)
