document.getElementById("root").textContent = "console-fixture-script";
