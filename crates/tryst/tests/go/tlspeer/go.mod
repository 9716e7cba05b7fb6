module tryst.test/tlspeer

go 1.24
