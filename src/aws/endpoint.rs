//! A service endpoint (the URL a Query call goes to and the region it is signed for), and AWS's
//! own default endpoints per region and partition. Which endpoint the *user* configured is
//! config's business (`config/endpoint.rs`); this module only knows AWS.

/// A service endpoint and the region its requests are signed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `scheme://host[:port]/`, without a query.
    pub url: String,
    pub signing_region: String,
}

/// The DNS suffix of a region's partition.
fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    }
}

/// The regions where `sts_regional_endpoints = legacy` means the global endpoint: the ones that
/// existed when regional STS endpoints came (2019). Later regions (af-south-1 on) always use
/// their own, as in botocore.
const LEGACY_GLOBAL_REGIONS: &[&str] = &[
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// AWS's default STS endpoint: regional `https://sts.<region>.<partition domain>/` when a region
/// is known, unless `legacy` asks for the global one in a region that had it; else the global
/// `https://sts.amazonaws.com/`, signed for `us-east-1`.
pub fn default_sts(region: Option<&str>, legacy: bool) -> Endpoint {
    match region {
        Some(r) if !legacy || !LEGACY_GLOBAL_REGIONS.contains(&r) => Endpoint {
            url: format!("https://sts.{r}.{}/", dns_suffix(r)),
            signing_region: r.to_string(),
        },
        _ => Endpoint {
            url: "https://sts.amazonaws.com/".to_string(),
            signing_region: "us-east-1".to_string(),
        },
    }
}

/// AWS's IAM endpoint, global per partition (the partition told by the region's prefix).
pub fn default_iam(region: Option<&str>) -> Endpoint {
    let region = region.unwrap_or_default();
    let (url, signing_region) = if region.starts_with("cn-") {
        ("https://iam.cn-north-1.amazonaws.com.cn/", "cn-north-1")
    } else if region.starts_with("us-gov-") {
        ("https://iam.us-gov.amazonaws.com/", "us-gov-west-1")
    } else {
        ("https://iam.amazonaws.com/", "us-east-1")
    };
    Endpoint {
        url: url.to_string(),
        signing_region: signing_region.to_string(),
    }
}

/// AWS Sign-In's endpoint for `region` (LOGIN-PROTOCOL.md §3, from the service's rule set): its
/// own host form in the three public partitions, `signin.<region>.<dns suffix>` elsewhere.
pub fn default_signin(region: &str) -> String {
    if region.starts_with("cn-") {
        format!("https://{region}.signin.amazonaws.cn/")
    } else if region.starts_with("us-gov-") {
        format!("https://{region}.signin.amazonaws-us-gov.com/")
    } else if let Some(suffix) = ISOLATED
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map(|(_, suffix)| suffix)
    {
        format!("https://signin.{region}.{suffix}/")
    } else {
        format!("https://{region}.signin.aws.amazon.com/")
    }
}

/// The isolated partitions' region prefixes and DNS suffixes (longest prefix first).
const ISOLATED: [(&str, &str); 5] = [
    ("us-isob-", "sc2s.sgov.gov"),
    ("us-isof-", "csp.hci.ic.gov"),
    ("us-iso-", "c2s.ic.gov"),
    ("eu-isoe-", "cloud.adc-e.uk"),
    ("eusc-", "amazonaws.eu"),
];

/// Whether `region` is a region name as botocore checks it (a host label: at most 63 letters,
/// digits and hyphens, not all digits, no hyphen at either end). It becomes part of a host
/// name, so `eu-west-1#x` must not pass.
pub fn valid_region(region: &str) -> bool {
    region.len() <= 63
        && region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !region.starts_with('-')
        && !region.ends_with('-')
        && !region.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn iam_is_global_per_partition() {
        use super::default_iam;
        assert_eq!(
            default_iam(Some("eu-west-1")).url,
            "https://iam.amazonaws.com/"
        );
        let cn = default_iam(Some("cn-northwest-1"));
        assert_eq!(
            (cn.url.as_str(), cn.signing_region.as_str()),
            ("https://iam.cn-north-1.amazonaws.com.cn/", "cn-north-1")
        );
        assert_eq!(
            default_iam(Some("us-gov-east-1")).signing_region,
            "us-gov-west-1"
        );
        assert_eq!(default_iam(None).signing_region, "us-east-1");
    }

    use super::*;

    #[test]
    fn sts_defaults_by_partition() {
        assert_eq!(default_sts(None, false).url, "https://sts.amazonaws.com/");
        let cn = default_sts(Some("cn-north-1"), true);
        assert_eq!(
            (cn.url.as_str(), cn.signing_region.as_str()),
            ("https://sts.cn-north-1.amazonaws.com.cn/", "cn-north-1")
        );
        let g = default_sts(Some("eu-west-1"), true);
        assert_eq!(
            (g.url.as_str(), g.signing_region.as_str()),
            ("https://sts.amazonaws.com/", "us-east-1")
        );
        let r = default_sts(Some("eu-west-1"), false);
        assert_eq!(r.url, "https://sts.eu-west-1.amazonaws.com/");
        // Regions launched after 2019 keep their own endpoint even with legacy.
        let cape = default_sts(Some("af-south-1"), true);
        assert_eq!(cape.url, "https://sts.af-south-1.amazonaws.com/");
        let gov = default_sts(Some("us-gov-west-1"), true);
        assert_eq!(gov.url, "https://sts.us-gov-west-1.amazonaws.com/");
    }

    #[test]
    fn region_names() {
        for ok in ["eu-west-1", "us-gov-west-1", "cn-north-1", "local"] {
            assert!(valid_region(ok), "{ok}");
        }
        for bad in [
            "eu-west-1#x",
            "-eu",
            "eu-",
            "123",
            "eu west",
            &"a".repeat(64),
        ] {
            assert!(!valid_region(bad), "{bad}");
        }
    }
}
