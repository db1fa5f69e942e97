#!/usr/bin/env python3
"""A "browser" for aws-runas's sign-in tests without Chromium: opened with the sign-in stand-in's
authorize URL (argv[1]), it approves as the Allow button would (the page's hidden form posted
back) and follows the redirect to aws-runas's loopback listener, as a browser does. Every request
is bounded (10 s). What it saw goes to stderr, which aws-runas closes: nothing to read."""

import html
import re
import sys
import urllib.parse
import urllib.request


def main():
    url = sys.argv[1]
    page = urllib.request.urlopen(url, timeout=10).read().decode()
    fields = {html.unescape(k): html.unescape(v)
              for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page)}
    fields.pop("action", None)
    base = url.split("/v1/authorize")[0]
    form = urllib.parse.urlencode(fields).encode()
    urllib.request.urlopen(base + "/v1/authorize", data=form, timeout=10).read()


if __name__ == "__main__":
    main()
