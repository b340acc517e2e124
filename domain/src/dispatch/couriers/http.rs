//! A courier behind the signed JSON API: `POST {base}/waybills` with the [`Order`], answered
//! `{"waybillNo", "feeCents"}`; any other answer (or none within 10 s) is a failure the job
//! retries.

use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use serde::Deserialize;
use url::Url;

use super::{sign, Courier, Order, Waybill, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// The courier at `base`.
pub struct HttpCourier {
    base: Url,
    secret: String,
    http: reqwest::Client,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Booked {
    waybill_no: String,
    #[serde(default)]
    fee_cents: i32,
}

impl HttpCourier {
    /// A client for the courier at `base`, signing with `secret`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(base: Url, secret: String) -> anyhow::Result<Self> {
        Ok(HttpCourier {
            base,
            secret,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()?,
        })
    }
}

#[async_trait]
impl Courier for HttpCourier {
    fn name(&self) -> &str {
        self.base.host_str().unwrap_or("courier")
    }

    async fn book(&self, order: &Order) -> anyhow::Result<Waybill> {
        let body = serde_json::to_vec(order)?;
        let now = crate::infra::clock::system_now().timestamp();
        let url = self.base.join("waybills").context("courier URL")?;
        let resp = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header(TIMESTAMP_HEADER, now.to_string())
            .header(SIGNATURE_HEADER, sign(&self.secret, now, &body))
            .body(body)
            .send()
            .await
            .context("courier unreachable")?;
        let status = resp.status();
        anyhow::ensure!(status.is_success(), "courier answered {status}");
        let booked: Booked = resp.json().await.context("courier answer")?;
        Ok(Waybill {
            number: booked.waybill_no,
            fee_cents: booked.fee_cents,
        })
    }
}
