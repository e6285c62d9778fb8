SELECT DISTINCT programme FROM area WHERE kind = 'programme'
