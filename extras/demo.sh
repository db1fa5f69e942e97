#!/usr/bin/env bash
# make demo: start the local STS/IAM emulator (moto, IAM auth enforced), write a throw-away
# ~/.aws for its user alice, and run `aws sts get-caller-identity` under aws-runas. The emulator
# reads its stdin until it closes, so it stops when this script ends, however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=target/release/aws-runas
work=$(mktemp -d)
exec 3> >(exec .venv/bin/python tests/emulator/emulator.py >"$work/ready")
emulator=$!
cleanup() {
  exec 3>&-
  wait "$emulator" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 300); do
  grep -q '}' "$work/ready" 2>/dev/null && break
  sleep 0.1
done
grep -q '}' "$work/ready" || { echo "demo: the emulator did not start" >&2; exit 1; }

read -r endpoint key secret < <(.venv/bin/python -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["endpoint"], r["users"]["alice"]["access_key_id"], r["users"]["alice"]["secret_access_key"])
' "$work/ready")

mkdir -p "$work/home/.aws"
cat >"$work/home/.aws/config" <<CONFIG
[default]
region = us-east-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = dev
CONFIG
cat >"$work/home/.aws/credentials" <<CREDENTIALS
[dev]
aws_access_key_id = $key
aws_secret_access_key = $secret
CREDENTIALS

user_env=(HOME="$work/home" PATH="$PWD/.venv/bin:/usr/local/bin:/usr/bin:/bin"
  AWS_ENDPOINT_URL="$endpoint" AWS_EC2_METADATA_DISABLED=true)

echo "emulator: $endpoint (IAM auth enforced)"
echo "\$ aws-runas admin aws sts get-caller-identity --query Arn --output text"
env -i "${user_env[@]}" "$bin" admin aws sts get-caller-identity --query Arn --output text
echo "\$ aws-runas -e admin true    # again: from the cache in ~/.aws, no STS call"
env -i "${user_env[@]}" "$bin" -e admin true
