// Reference backend, built the way the classic two-service example builds it (Express 4).
// Only the benchmark uses it, as the baseline our services are compared with.
const express = require("express");

const app = express();
app.get("/", (req, res) => res.json({ text: "backend microservice" }));
app.listen(Number(process.env.PORT || 8080), () => console.log("reference backend listening"));
