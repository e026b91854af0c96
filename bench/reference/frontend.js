// Reference frontend, built the way the classic example builds it: Express 4, an EJS
// view, and a fetch to the backend per request. Only the benchmark uses it.
const path = require("path");
const express = require("express");

const backendUrl = process.env.BACKEND_URL || "http://sample-app-backend-service";
const app = express();
app.set("view engine", "ejs");
app.set("views", path.join(__dirname, "views"));

app.get("/", async (req, res) => {
    try {
        const response = await fetch(backendUrl);
        const data = await response.json();
        res.render("index", { text: data.text });
    } catch (err) {
        res.status(500).send(String(err));
    }
});
app.listen(Number(process.env.PORT || 8080), () => console.log("reference frontend listening"));
