-- CreateTable
CREATE TABLE "HostInventory" (
    "hostId" TEXT NOT NULL PRIMARY KEY,
    "version" INTEGER NOT NULL DEFAULT 0,
    "document" TEXT,
    "refreshedAt" DATETIME,
    "error" TEXT,
    "wantedAt" DATETIME,
    "leaseHolder" TEXT,
    "leaseUntil" DATETIME,
    CONSTRAINT "HostInventory_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "InventoryEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "hostId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "link" TEXT NOT NULL,
    "guest" TEXT,
    CONSTRAINT "InventoryEntry_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "HealthSample" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "hostId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reachable" BOOLEAN NOT NULL,
    "latencyMs" REAL,
    CONSTRAINT "HealthSample_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "InventoryEntry_value_idx" ON "InventoryEntry"("value");

-- CreateIndex
CREATE INDEX "InventoryEntry_hostId_idx" ON "InventoryEntry"("hostId");

-- CreateIndex
CREATE INDEX "HealthSample_hostId_at_idx" ON "HealthSample"("hostId", "at");
