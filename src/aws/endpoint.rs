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

/// AWS's default STS endpoint: regional `https://sts.<region>.<partition domain>/` when a region
/// is known, unless `legacy` asks for the global one (which the China and GovCloud partitions do
/// not have); else the global `https://sts.amazonaws.com/`, signed for `us-east-1`.
pub fn default_sts(region: Option<&str>, legacy: bool) -> Endpoint {
    match region {
        Some(r) if !legacy || r.starts_with("cn-") || r.starts_with("us-gov-") => Endpoint {
            url: format!("https://sts.{r}.{}/", dns_suffix(r)),
            signing_region: r.to_string(),
        },
        _ => Endpoint {
            url: "https://sts.amazonaws.com/".to_string(),
            signing_region: "us-east-1".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
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
    }
}
