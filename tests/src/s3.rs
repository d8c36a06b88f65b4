//! A bucket of its own for one test on the S3-compatible server of `TEST_S3_ENDPOINT`.
//!
//! Buckets are created and removed with requests presigned by object_store's own signer (it
//! has no bucket operations), so the harness speaks to the server exactly as the service does.
//!
//! s3s-fs ignores `response-*` overrides of presigned URLs, so a file name on S3 is checked in
//! the signed URL only; it has no `ListMultipartUploads`, so open uploads are read from its
//! data folder.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::TryStreamExt;
use mesdonnees_infra::config::StorageConfig;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::signer::{Method, Signer};
use object_store::{ObjectStore, ObjectStoreExt};

/// Credentials `.ci/with-s3` starts the server with, unless the environment names others.
const DEFAULT_ACCESS_KEY_ID: &str = "mesdonnees-test";
const DEFAULT_SECRET_ACCESS_KEY: &str = "mesdonnees-test-secret";
const REGION: &str = "us-east-1";

pub(crate) struct S3Scratch {
    bucket: String,
    endpoint: String,
    access_key_id: String,
    secret_access_key: String,
    /// The server's data folder (`TEST_S3_DATA_DIR`), where its open multipart uploads are seen.
    data_dir: Option<PathBuf>,
}

impl S3Scratch {
    pub(crate) async fn create(endpoint: &str) -> Self {
        let scratch = Self {
            bucket: format!("mdt-{}", uuid::Uuid::new_v4().simple()),
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            access_key_id: setting_or("TEST_S3_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID),
            secret_access_key: setting_or("TEST_S3_SECRET_ACCESS_KEY", DEFAULT_SECRET_ACCESS_KEY),
            data_dir: std::env::var_os("TEST_S3_DATA_DIR").map(PathBuf::from),
        };
        let response = scratch.bucket_request(Method::PUT).await;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert!(
            status.is_success(),
            "TEST_S3_ENDPOINT refused to create a bucket: {status} {body}"
        );
        scratch
    }

    pub(crate) fn configure(&self, storage: &mut StorageConfig) {
        storage.url = format!("s3://{}", self.bucket);
        storage.s3_endpoint = Some(self.endpoint.clone());
        storage.s3_region = REGION.to_owned();
        storage.s3_access_key_id = Some(self.access_key_id.clone());
        storage.s3_secret_access_key = Some(self.secret_access_key.clone());
        storage.s3_allow_http = true;
        storage.s3_path_style = true;
    }

    /// Keys of this bucket with a multipart upload still open. The server `.ci/with-s3` runs
    /// (s3s-fs) has no `ListMultipartUploads`; it keeps one metadata file per open upload,
    /// named after its bucket and key, in its data folder until the upload is completed or
    /// aborted.
    pub(crate) fn pending_uploads(&self) -> Vec<String> {
        let data_dir = self.data_dir.as_ref().expect(
            "TEST_S3_DATA_DIR must name the S3 server's data folder to see its open uploads",
        );
        let prefix = format!(".bucket-{}.object-", URL_SAFE_NO_PAD.encode(&self.bucket));
        let mut keys = Vec::new();
        for entry in std::fs::read_dir(data_dir).expect("TEST_S3_DATA_DIR is readable").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(rest) = name.strip_prefix(&prefix) else { continue };
            let Some((key, upload)) = rest.split_once(".upload-") else { continue };
            if upload.ends_with(".metadata.json") {
                let key = URL_SAFE_NO_PAD.decode(key).expect("a base64 key");
                keys.push(String::from_utf8(key).expect("a UTF-8 key"));
            }
        }
        keys
    }

    /// Empties the bucket through the service's store, then removes it.
    pub(crate) async fn remove(self, store: &Arc<dyn ObjectStore>) {
        if let Ok(objects) = store.list(None).try_collect::<Vec<_>>().await {
            for object in objects {
                let _ = store.delete(&object.location).await;
            }
        }
        let _ = self.bucket_request(Method::DELETE).await;
    }

    /// A bucket-level request, presigned for the bucket's own URL.
    async fn bucket_request(&self, method: Method) -> reqwest::Response {
        let url = self
            .signer()
            .signed_url(method.clone(), &Path::default(), Duration::from_secs(60))
            .await
            .expect("presigned bucket URL");
        reqwest::Client::new()
            .request(method, url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("TEST_S3_ENDPOINT {} does not answer: {e}", self.endpoint))
    }

    fn signer(&self) -> AmazonS3 {
        AmazonS3Builder::new()
            .with_bucket_name(&self.bucket)
            .with_endpoint(&self.endpoint)
            .with_region(REGION)
            .with_access_key_id(&self.access_key_id)
            .with_secret_access_key(&self.secret_access_key)
            .with_allow_http(true)
            .with_virtual_hosted_style_request(false)
            .build()
            .expect("an S3 client for TEST_S3_ENDPOINT")
    }
}

fn setting_or(name: &str, default: &str) -> String {
    crate::setting(name).unwrap_or_else(|| default.to_owned())
}
