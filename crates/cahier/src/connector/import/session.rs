//! One SQLite transaction that lives as long as an import call: the handler reads the body
//! asynchronously while a blocking thread holds the connection and runs the queries it is sent,
//! committing only when told to. Dropping the session rolls everything back.

use diesel::sqlite::SqliteConnection;
use tokio::sync::{mpsc, oneshot};

use crate::db::{Db, DbError};

type Job = Box<dyn FnOnce(&mut SqliteConnection) + Send>;

enum Msg {
    Run(Job),
    Finish { commit: bool, done: oneshot::Sender<Result<(), DbError>> },
}

pub struct Session {
    tx: mpsc::Sender<Msg>,
}

impl Session {
    /// Takes a connection and SQLite's write lock (waiting the busy timeout for it), so the
    /// queries that follow never fail on a lock they could not upgrade.
    pub async fn begin(db: &Db) -> Result<Self, DbError> {
        let (tx, mut rx) = mpsc::channel::<Msg>(1);
        let (ready_tx, ready_rx) = oneshot::channel::<Result<(), DbError>>();
        let db = db.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = match db.conn() {
                Ok(conn) => conn,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            let mut ready = Some(ready_tx);
            let mut finished = None;
            let outcome = conn.immediate_transaction::<(), diesel::result::Error, _>(|conn| {
                if let Some(ready) = ready.take() {
                    let _ = ready.send(Ok(()));
                }
                while let Some(msg) = rx.blocking_recv() {
                    match msg {
                        Msg::Run(job) => job(conn),
                        Msg::Finish { commit, done } => {
                            finished = Some(done);
                            if commit {
                                return Ok(());
                            }
                            break;
                        }
                    }
                }
                Err(diesel::result::Error::RollbackTransaction)
            });
            if let Some(ready) = ready {
                let _ = ready.send(outcome.map_err(DbError::from));
            } else if let Some(done) = finished {
                let _ = done.send(match outcome {
                    Ok(()) | Err(diesel::result::Error::RollbackTransaction) => Ok(()),
                    Err(e) => Err(e.into()),
                });
            }
        });
        ready_rx.await.map_err(|_| DbError::Cancelled)??;
        Ok(Self { tx })
    }

    /// Runs `f` inside the transaction.
    pub async fn run<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteConnection) -> Result<T, DbError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = reply.send(f(conn));
        });
        self.tx.send(Msg::Run(job)).await.map_err(|_| DbError::Cancelled)?;
        answer.await.map_err(|_| DbError::Cancelled)?
    }

    pub async fn commit(self) -> Result<(), DbError> {
        self.finish(true).await
    }

    /// Rolls back and waits until the write lock is released.
    pub async fn rollback(self) -> Result<(), DbError> {
        self.finish(false).await
    }

    async fn finish(self, commit: bool) -> Result<(), DbError> {
        let (done, finished) = oneshot::channel();
        self.tx.send(Msg::Finish { commit, done }).await.map_err(|_| DbError::Cancelled)?;
        finished.await.map_err(|_| DbError::Cancelled)?
    }
}
