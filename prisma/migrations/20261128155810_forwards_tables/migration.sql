-- CreateTable
CREATE TABLE "PortForward" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostId" TEXT NOT NULL,
    "guestName" TEXT NOT NULL,
    "guestUuid" TEXT NOT NULL,
    "network" TEXT NOT NULL,
    "bridge" TEXT NOT NULL,
    "subnet" TEXT NOT NULL,
    "guestMac" TEXT NOT NULL,
    "guestIp" TEXT NOT NULL,
    "protocol" TEXT NOT NULL,
    "hostPortStart" INTEGER NOT NULL,
    "hostPortEnd" INTEGER NOT NULL,
    "guestPortStart" INTEGER NOT NULL,
    "guestPortEnd" INTEGER NOT NULL,
    "hostAddress" TEXT,
    "sourceCidrs" TEXT NOT NULL DEFAULT '',
    "description" TEXT NOT NULL DEFAULT '',
    "ownerId" TEXT,
    "ownerName" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PortForward_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SelfServiceLimit" (
    "userId" TEXT NOT NULL PRIMARY KEY,
    "portMin" INTEGER NOT NULL,
    "portMax" INTEGER NOT NULL,
    "maxForwards" INTEGER NOT NULL,
    CONSTRAINT "SelfServiceLimit_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SelfServiceGuest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "guestName" TEXT NOT NULL,
    "guestUuid" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SelfServiceGuest_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SelfServiceGuest_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "PortForward_hostId_idx" ON "PortForward"("hostId");

-- CreateIndex
CREATE INDEX "PortForward_ownerId_idx" ON "PortForward"("ownerId");

-- CreateIndex
CREATE UNIQUE INDEX "SelfServiceGuest_userId_hostId_guestUuid_key" ON "SelfServiceGuest"("userId", "hostId", "guestUuid");
