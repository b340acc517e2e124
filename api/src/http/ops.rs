//! Operations endpoints: liveness, readiness and metrics.

use std::sync::Arc;

use actix_web::{web, HttpResponse};
use hongyan_domain::Ctx;
use hongyan_migrations::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::metrics::Metrics;

/// `GET /healthz`: the process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers and its schema is current; 503 otherwise.
pub async fn readyz(ctx: web::Data<Ctx>) -> HttpResponse {
    let db = match ctx.db.execute_unprepared("SELECT 1").await {
        Ok(_) => Ok(()),
        Err(e) => Err(format!("database unreachable: {e}")),
    };
    let migrations = match &db {
        Ok(()) => match Migrator::get_pending_migrations(&ctx.db).await {
            Ok(p) if p.is_empty() => Ok(()),
            Ok(p) => Err(format!("{} migrations pending", p.len())),
            Err(e) => Err(format!("cannot read migrations: {e}")),
        },
        Err(_) => Err("unknown".to_owned()),
    };
    let status = |r: &Result<(), String>| match r {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.clone(),
    };
    let body = json!({ "database": status(&db), "migrations": status(&migrations) });
    if db.is_ok() && migrations.is_ok() {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// `GET /metrics` on the API's own address: served only in development without
/// `HONGYAN_METRICS_ADDR` (figures about queues, lockers and errors are for operators, not
/// for anyone who can reach the API).
pub async fn public_metrics(ctx: web::Data<Ctx>, metrics: web::Data<Arc<Metrics>>) -> HttpResponse {
    let exposure = ctx.config.exposure;
    if exposure.metrics_addr.is_some() || ctx.config.environment.is_production() {
        return super::not_found().await;
    }
    self::metrics(ctx, metrics).await
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(ctx: web::Data<Ctx>, metrics: web::Data<Arc<Metrics>>) -> HttpResponse {
    match metrics.render(&ctx.db, ctx.now()).await {
        Ok(text) => HttpResponse::Ok()
            .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
            .body(text),
        Err(e) => super::error_response(&e),
    }
}
