// Run by the mongo image (mongosh) on its first start, when /data/db is empty:
// the service's users, each with only what it needs. Passwords come from .env
// through compose; nothing secret is written here.
//   MONGO_APP_USERNAME     readWrite on the service's database: the app itself
//   MONGO_DEPLOY_USERNAME  readWrite + dbAdmin there: `flask db upgrade` (indexes)
const name = process.env.MONGO_INITDB_DATABASE;
const database = db.getSiblingDB(name);

function required(variable) {
  const value = process.env[variable];
  if (!value) {
    throw new Error(`${variable} is not set: add it to .env`);
  }
  return value;
}

database.createUser({
  user: required("MONGO_APP_USERNAME"),
  pwd: required("MONGO_APP_PASSWORD"),
  roles: [{ role: "readWrite", db: name }],
});
database.createUser({
  user: required("MONGO_DEPLOY_USERNAME"),
  pwd: required("MONGO_DEPLOY_PASSWORD"),
  roles: [
    { role: "readWrite", db: name },
    { role: "dbAdmin", db: name },
  ],
});
