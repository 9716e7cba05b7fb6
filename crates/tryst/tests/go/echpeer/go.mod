module tryst.test/echpeer

go 1.24
